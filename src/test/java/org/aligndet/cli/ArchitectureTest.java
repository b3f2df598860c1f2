package org.aligndet.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.Family;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dependencies run one way: cli -> export, trainer -> bridge; trainer never touches ONNX. */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.aligndet");
        // the rules below are vacuous if the modules were not on the classpath: make sure they are
        for (String p : new String[] {"org.aligndet.bridge", "org.aligndet.trainer", "org.aligndet.export", "org.aligndet.cli"}) {
            assertTrue(classes.stream().anyMatch(c -> c.getPackageName().startsWith(p)), "no classes imported from " + p);
        }
    }

    @Test
    void bridgeKnowsNothingAboutAlignDet() {
        noClasses().that().resideInAPackage("org.aligndet.bridge..")
                .should().dependOnClassesThat().resideInAnyPackage("org.aligndet.trainer..", "org.aligndet.export..", "org.aligndet.cli..")
                .check(classes);
    }

    @Test
    void trainerDependsOnlyOnBridgeAndNeverOnOnnx() {
        noClasses().that().resideInAPackage("org.aligndet.trainer..")
                .should().dependOnClassesThat().resideInAnyPackage("org.aligndet.export..", "org.aligndet.cli..",
                        "ai.onnxruntime..", "org.aligndet.bridge.onnx..")
                .check(classes);
    }

    @Test
    void theCommandLineHoldsNoDomainLogic() {
        // tensors, runtimes, images and dataset parsing live in the modules; cli parses options and prints
        noClasses().that().resideInAPackage("org.aligndet.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "ai.onnxruntime..", "org.bytedeco..",
                        "javax.xml..", "org.w3c..", "org.xml..", "org.aligndet.bridge.tensor..")
                .check(classes);
    }

    @Test
    void onlyTheFamilyFactoryTellsFamiliesApart() {
        // one switch on the family enum (DetectorFamily.of); everything else asks the family's rules
        noClasses().that().resideOutsideOfPackage("org.aligndet.trainer.spec..")
                .and().doNotHaveFullyQualifiedName(DetectorFamily.class.getName())
                .and().haveNameNotMatching(java.util.regex.Pattern.quote(DetectorFamily.class.getName()) + "\\$.*")
                .should().accessFieldWhere(JavaFieldAccess.Predicates.target(
                        HasOwner.Predicates.With.owner(JavaClass.Predicates.equivalentTo(Family.class))))
                .check(classes);
    }

    @Test
    void exportDoesNotDependOnTheCommandLine() {
        noClasses().that().resideInAPackage("org.aligndet.export..")
                .should().dependOnClassesThat().resideInAnyPackage("org.aligndet.cli..")
                .check(classes);
    }
}
