package org.aligndet.trainer.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One source's name table, read from {@code keymaps/NAME.keymap} next to this class: a list of rules,
 * first match wins, patterns matched against the whole source name (syntax in {@code mmdet.keymap}).
 * The tables are data; this class only applies them.
 */
public final class KeyMap {
    /** What a rule does with a source name. */
    public enum Kind { MAP, DROP, UNMAPPABLE }

    /** The outcome for one source name: its target name (MAP), or why it is not imported. */
    public record Outcome(Kind kind, String target, String reason) {
    }

    private record Rule(String kind, Pattern pattern, String arg, Boolean momentum) {
    }

    /** {@code $N}, {@code $(N/K)} (group N divided by K) and {@code $(N*K)} / {@code $(N*K+C)} (times K, plus C). */
    private static final Pattern DIVIDE = Pattern.compile("\\$\\((\\d+)([/*])(\\d+)(?:\\+(\\d+))?\\)|\\$(\\d+)");

    private final String name;
    private final String description;
    private final List<Pattern> detect = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final java.util.Map<String, String> lacks = new java.util.LinkedHashMap<>();
    private String layout;
    private boolean batchCounters;

    private KeyMap(String name) {
        this.name = name;
        this.description = parse(name, name + ".keymap");
    }

    /** The table {@code keymaps/NAME.keymap}. */
    public static KeyMap load(String name) {
        return new KeyMap(name);
    }

    /** Whether the table {@code keymaps/NAME.keymap} exists. */
    public static boolean exists(String name) {
        return KeyMap.class.getResource("keymaps/" + name + ".keymap") != null;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** Whether a source name is one this table recognises its format by. */
    public boolean detects(String key) {
        return detect.stream().anyMatch(p -> p.matcher(key).matches());
    }

    /**
     * The first rule matching {@code key} (rules tagged {@code @momentum} apply only with
     * {@code momentum}, {@code @online} only without); {@code UNMAPPABLE} "no rule" when none does.
     */
    public Outcome apply(String key, boolean momentum) {
        for (Rule r : rules) {
            if (r.momentum != null && r.momentum != momentum) {
                continue;
            }
            Matcher m = r.pattern.matcher(key);
            if (!m.matches()) {
                continue;
            }
            return switch (r.kind) {
                case "map" -> new Outcome(Kind.MAP, replace(m, r.arg), null);
                case "drop" -> new Outcome(Kind.DROP, null, r.arg);
                default -> new Outcome(Kind.UNMAPPABLE, null, r.arg);
            };
        }
        return new Outcome(Kind.UNMAPPABLE, null, "no rule of the " + name + " table maps it");
    }

    /** The reason a target name is never in this source, or {@code null}. */
    public String absentReason(String target) {
        for (Rule r : rules) {
            if (r.kind.equals("absent") && r.pattern.matcher(target).matches()) {
                return r.arg;
            }
        }
        return null;
    }

    /**
     * Export tables: the spec layout ({@code finetune} / {@code pretrain}) the target model's names correspond to, or
     * {@code null} when the target takes either (the checkpoint's own).
     */
    public String layout() {
        return layout;
    }

    /** Export tables: names (as text, may be a pattern) the target model has and this project's weights never provide, with why. */
    public java.util.Map<String, String> lacks() {
        return java.util.Collections.unmodifiableMap(lacks);
    }

    /** Export tables: whether {@code NAME.num_batches_tracked} follows every {@code NAME.running_var}, as torch's BatchNorm saves it. */
    public boolean batchCounters() {
        return batchCounters;
    }

    private static String replace(Matcher m, String template) {
        StringBuilder out = new StringBuilder();
        Matcher t = DIVIDE.matcher(template);
        int at = 0;
        while (t.find()) {
            out.append(template, at, t.start());
            if (t.group(5) != null) {
                out.append(group(m, Integer.parseInt(t.group(5))));
            } else {
                long v = Long.parseLong(group(m, Integer.parseInt(t.group(1))));
                long k = Long.parseLong(t.group(3));
                long c = t.group(4) == null ? 0 : Long.parseLong(t.group(4));
                out.append(t.group(2).equals("/") ? v / k + c : v * k + c);
            }
            at = t.end();
        }
        return out.append(template.substring(at)).toString();
    }

    private static String group(Matcher m, int g) {
        return g == 0 ? m.group() : m.group(g);
    }

    private String parse(String table, String resource) {
        String text = read(resource);
        String desc = table;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Boolean momentum = null;
            if (line.startsWith("@momentum ") || line.startsWith("@online ")) {
                momentum = line.startsWith("@momentum ");
                line = line.substring(line.indexOf(' ') + 1).strip();
            }
            String[] f = line.split("\\s+", 3);
            String where = "keymaps/" + resource + " line " + lineNo;
            switch (f[0]) {
                case "describe" -> desc = line.substring("describe".length()).strip();
                case "include" -> parse(table, need(f, 2, where)[1] + ".part");
                case "detect" -> detect.add(compile(need(f, 2, where)[1], where));
                case "map" -> {
                    String[] g = line.split("\\s+");
                    if (g.length != 3) {
                        throw new IllegalStateException(where + ": expected 'map PATTERN REPLACEMENT'");
                    }
                    rules.add(new Rule("map", compile(g[1], where), g[2], momentum));
                }
                case "layout" -> layout = need(f, 2, where)[1];
                case "lacks" -> lacks.put(need(f, 3, where)[1], f[2]);
                case "batch-counters" -> batchCounters = true;
                case "drop", "unmappable", "absent" -> rules.add(new Rule(f[0], compile(need(f, 3, where)[1], where), f[2],
                        momentum));
                default -> throw new IllegalStateException(where + ": unknown rule '" + f[0] + "'");
            }
        }
        return desc;
    }

    private static String[] need(String[] f, int n, String where) {
        if (f.length < n) {
            throw new IllegalStateException(where + ": '" + f[0] + "' needs " + (n - 1) + " field(s)");
        }
        return f;
    }

    private static Pattern compile(String regex, String where) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException(where + ": bad pattern " + regex + ": " + e.getDescription());
        }
    }

    private static String read(String resource) {
        try (InputStream in = KeyMap.class.getResourceAsStream("keymaps/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("no key map keymaps/" + resource + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
