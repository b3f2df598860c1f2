package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.aligndet.trainer.proposals.ProposalRunner;
import picocli.CommandLine;

class ProposalsCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesCocoProposalsForAFolder() throws Exception {
        Path imgs = Files.createDirectories(dir.resolve("imgs"));
        BufferedImage img = new BufferedImage(200, 150, BufferedImage.TYPE_3BYTE_BGR);
        var g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(40, 30, 80, 60);
        g.setColor(Color.BLUE);
        g.fillOval(120, 70, 60, 60);
        g.dispose();
        ImageIO.write(img, "png", imgs.resolve("a.png").toFile());
        Files.write(imgs.resolve("b.jpg"), new byte[0]);
        Path out = dir.resolve("props.json");
        int rc = new CommandLine(new ProposalsCommand()).execute("--images", imgs.toString(), "--out", out.toString(),
                "--mode", "single", "--long-side", "200", "--workers", "1", "--no-progress");
        assertEquals(0, rc);
        JsonNode coco = new ObjectMapper().readTree(out.toFile());
        assertEquals(1, coco.get("images").size());
        assertTrue(coco.get("annotations").size() > 0);
        assertTrue(Files.readString(ProposalRunner.skippedReportOf(out)).startsWith("b.jpg\t"));
    }

    @Test
    void imagesAndCocoAreExclusive() {
        int rc = new CommandLine(new ProposalsCommand()).execute("--images", "x", "--coco", "y", "--out", "z");
        assertNotEquals(0, rc);
    }

    @Test
    void aCocoFileWithoutImagesIsAnErrorNotAnEmptyOutput() throws Exception {
        Path out = dir.resolve("props.json");
        for (String json : new String[] {"{\"annotations\": [], \"categories\": []}", "{\"images\": []}"}) {
            Path ann = Files.writeString(dir.resolve("ann.json"), json);
            CliRun r = CliRun.main("proposals", "--coco", ann.toString(), "--out", out.toString(), "--no-progress");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().startsWith("aligndet: error: " + ann + ": lists no images"), r.err());
            assertTrue(Files.notExists(out));
        }
    }

    @Test
    void aCocoFileWhoseImagesAreMostlyMissingFails() throws Exception {
        Path ann = Files.writeString(dir.resolve("ann.json"), "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}]}");
        CliRun r = CliRun.main("proposals", "--coco", ann.toString(), "--out", dir.resolve("props.json").toString(), "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("aligndet: error: " + ann + ": 1 of 1 listed images (100.0%) are missing"), r.err());
    }
}
