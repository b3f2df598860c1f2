package org.aligndet.trainer.proposals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.image.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProposalRunnerTest {
    @TempDir
    static Path images;
    @TempDir
    Path work;

    private static final ProposalRunner.Options OPTS = new ProposalRunner.Options(SearchMode.SINGLE, 200, ProposalFilter.alignDet(), 2, false, 0);

    @BeforeAll
    static void draw() throws Exception {
        for (int i = 0; i < 6; i++) {
            TestImages.write(TestImages.scene(240 + 16 * i, 180, 4, 100 + i).image(), images.resolve(String.format("scene%02d.png", i)));
        }
        Files.createDirectories(images.resolve("broken"));
        TestImages.writeBroken(images.resolve("broken"));
        Files.writeString(images.resolve("notes.txt"), "not listed");
    }

    private List<ImageRecord> inputs() {
        return ProposalInputs.folder(images);
    }

    @Test
    void folderListingIsSortedAndFiltered() {
        List<String> keys = inputs().stream().map(ImageRecord::key).toList();
        assertEquals(List.of("broken/empty.jpg", "broken/text.jpg", "broken/truncated.jpg",
                "scene00.png", "scene01.png", "scene02.png", "scene03.png", "scene04.png", "scene05.png"), keys);
        assertEquals(1, inputs().get(0).id());
    }

    @Test
    void everyBoxPassesTheFilterAndBrokenImagesAreListed() throws Exception {
        Path out = work.resolve("props.json");
        ProposalRunner.Summary s = ProposalRunner.run(inputs(), out, OPTS);
        assertTrue(s.complete());
        assertEquals(3, s.skipped());
        assertTrue(s.proposals() > 6, "proposals: " + s.proposals());
        JsonNode coco = new ObjectMapper().readTree(out.toFile());
        assertEquals(6, coco.get("images").size());
        assertEquals("selective_search", coco.get("categories").get(0).get("name").asText());
        Map<Long, int[]> sizes = new HashMap<>();
        coco.get("images").forEach(im -> sizes.put(im.get("id").asLong(), new int[] {im.get("width").asInt(), im.get("height").asInt()}));
        long expectId = 1;
        Map<Long, Integer> nextIndex = new HashMap<>();
        for (JsonNode a : coco.get("annotations")) {
            assertEquals(expectId++, a.get("id").asLong());
            long img = a.get("image_id").asLong();
            int[] wh = sizes.get(img);
            double x = a.get("bbox").get(0).asDouble();
            double y = a.get("bbox").get(1).asDouble();
            double w = a.get("bbox").get(2).asDouble();
            double h = a.get("bbox").get(3).asDouble();
            assertTrue(ProposalFilter.alignDet().passes(new double[] {x, y, x + w, y + h}, wh[0], wh[1]), a.toString());
            assertTrue(x >= 0 && y >= 0 && x + w <= wh[0] + 1e-9 && y + h <= wh[1] + 1e-9, a.toString());
            int idx = nextIndex.merge(img, 1, Integer::sum) - 1;
            assertEquals(idx, a.get("proposal_index").asInt());
            assertEquals(0, a.get("iscrowd").asInt());
        }
        List<String> report = Files.readAllLines(ProposalRunner.skippedReportOf(out));
        assertEquals(3, report.size());
        assertTrue(report.get(0).startsWith("broken/empty.jpg\t"), report.get(0));
        assertTrue(report.get(2).contains("truncated"), report.get(2));
        assertFalse(Files.exists(ProposalRunner.journalOf(out)));
    }

    @Test
    void deterministicAndResumable() throws Exception {
        Path whole = work.resolve("whole.json");
        ProposalRunner.run(inputs(), whole, OPTS);
        Path again = work.resolve("again.json");
        ProposalRunner.run(inputs(), again, OPTS.with(SearchMode.SINGLE, 1));
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(again), "1 vs 2 threads");

        Path resumed = work.resolve("resumed.json");
        ProposalRunner.Summary first = ProposalRunner.run(inputs(), resumed, OPTS.stoppingAfter(4));
        assertFalse(first.complete());
        assertFalse(Files.exists(resumed));
        // a torn line, as if killed mid-write
        Files.writeString(ProposalRunner.journalOf(resumed), "{\"id\": 9, \"file_na", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ProposalRunner.Summary second = ProposalRunner.run(inputs(), resumed, OPTS.stoppingAfter(2));
        assertEquals(4, second.resumed());
        assertFalse(second.complete());
        ProposalRunner.Summary last = ProposalRunner.run(inputs(), resumed, OPTS);
        assertEquals(6, last.resumed());
        assertEquals(3, last.processed());
        assertTrue(last.complete());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed), "interrupted twice vs uninterrupted");
    }

    @Test
    void journalOfOtherSettingsIsRefused() {
        Path out = work.resolve("p.json");
        ProposalRunner.run(inputs(), out, OPTS.stoppingAfter(1));
        ProposalRunner.Options other = new ProposalRunner.Options(SearchMode.SINGLE, 300, ProposalFilter.alignDet(), 2, false, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProposalRunner.run(inputs(), out, other));
        assertTrue(e.getMessage().contains("journal"), e.getMessage());
    }

    @Test
    void cocoImageList() throws Exception {
        Path ann = work.resolve("instances.json");
        Files.writeString(ann, "{\"info\": {\"x\": [1, 2]}, \"images\": [{\"id\": 7, \"file_name\": \"scene01.png\", \"width\": 256, \"height\": 180},"
                + " {\"id\": 3, \"file_name\": \"scene00.png\", \"width\": 240, \"height\": 180}], \"annotations\": [], \"categories\": []}");
        List<ImageRecord> recs = ProposalInputs.cocoImages(ann, images);
        assertEquals(List.of(3L, 7L), recs.stream().map(ImageRecord::id).toList());
        assertEquals(images.resolve("scene01.png"), recs.get(1).file());
        Files.writeString(ann, "{\"images\": [{\"id\": 1,\n \"file_name\": }]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProposalInputs.cocoImages(ann, images));
        assertTrue(e.getMessage().contains("instances.json") && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void cocoListingsWithoutImagesOrWithEscapingNamesAreErrors() throws Exception {
        Path ann = work.resolve("instances.json");
        for (String json : new String[] {"{\"annotations\": []}", "{\"images\": []}"}) {
            Files.writeString(ann, json);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProposalInputs.cocoImages(ann, images));
            assertTrue(e.getMessage().startsWith(ann + ": lists no images"), e.getMessage());
        }
        Files.writeString(ann, "{\"images\": [{\"id\": 4, \"file_name\": \"../../home/user/.ssh/id_rsa\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProposalInputs.cocoImages(ann, images));
        assertTrue(e.getMessage().startsWith(ann + ": image id 4: file_name '../../home/user/.ssh/id_rsa' leaves its folder"),
                e.getMessage());
        Path empty = Files.createDirectories(work.resolve("no-images"));
        e = assertThrows(IllegalArgumentException.class, () -> ProposalInputs.folder(empty));
        assertTrue(e.getMessage().startsWith(empty + ": holds no image files"), e.getMessage());
    }
}
