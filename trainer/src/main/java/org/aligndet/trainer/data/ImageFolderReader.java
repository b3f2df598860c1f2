package org.aligndet.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Plain image folders: unlabeled images for box-domain pre-training, and class-per-folder sets
 * ({@code root/<class>/<image>}, ImageNet-like) for the image-domain stage.
 *
 * <p>Files are found recursively by extension ({@link #EXTENSIONS}, case-insensitive) and sorted by
 * their path relative to the root with {@code /} separators, so ids ({@code 0..n-1}) do not depend
 * on the file system's listing order. {@code key} is that relative path. Width and height come from
 * the file header when {@code probeSizes} is set (see {@link ImageHeaders}); otherwise, and for a
 * header that cannot be read, they are {@code 0} (unknown until the pixels are read). Unreadable or
 * corrupt files are not judged here: whoever decodes the pixels reports them.
 */
public final class ImageFolderReader {
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");

    private ImageFolderReader() {
    }

    /** Every image under {@code root}, unlabeled, with sizes probed from headers. */
    public static Dataset read(Path root) {
        return read(root, true);
    }

    /** Every image under {@code root}, unlabeled; sizes probed from headers only if {@code probeSizes}. */
    public static Dataset read(Path root, boolean probeSizes) {
        List<ImageRecord> images = new ArrayList<>();
        for (Path file : imageFiles(root)) {
            // ids start at 1, as COCO files number their images
            images.add(record(images.size() + 1, root, file, probeSizes, List.of()));
        }
        return new Dataset(root.toString(), List.of(), List.of(), images);
    }

    /**
     * A class-per-folder set: each immediate subdirectory of {@code root} is a class (sorted by name;
     * label = index), and each image under it gets one instance covering the whole image, with that
     * label and {@code id} 0. Images whose header cannot be read get no instance (their size is unknown).
     */
    public static Dataset readClassFolders(Path root) {
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted((a, b) -> name(a).compareTo(name(b))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        List<String> classes = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<ImageRecord> images = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(name(dir));
            ids.add(label);
            for (Path file : imageFiles(dir)) {
                ImageRecord r = record(images.size(), root, file, true, List.of());
                List<Instance> whole = r.width() > 0
                        ? List.of(Instance.box(0, 0, r.width(), r.height(), label, 0))
                        : List.of();
                images.add(r.withInstances(whole));
            }
        }
        return new Dataset(root.toString(), classes, ids, images);
    }

    /** Image files under {@code root}, recursively, sorted by relative path. */
    public static List<Path> imageFiles(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a directory");
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(ImageFolderReader::hasImageExtension)
                    .sorted((a, b) -> relative(root, a).compareTo(relative(root, b)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk " + root, e);
        }
    }

    public static boolean hasImageExtension(Path file) {
        String n = name(file);
        int dot = n.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static ImageRecord record(int id, Path root, Path file, boolean probe, List<Instance> instances) {
        int[] size = probe ? ImageHeaders.size(file) : null;
        return new ImageRecord(id, relative(root, file), file, size == null ? 0 : size[0], size == null ? 0 : size[1],
                instances);
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
