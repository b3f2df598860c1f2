package org.aligndet.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's counters from Linux's {@code /proc/self}: minor and major page faults, user and
 * system CPU seconds, resident and peak resident memory. On a system without {@code /proc} every
 * field is {@code -1} ({@link #available()} false) and the benches print "n/a".
 *
 * @param minorFaults page faults served without I/O (the cost of touching freshly mapped memory)
 * @param majorFaults page faults that read from disk
 * @param userSeconds CPU time in user mode, all threads
 * @param systemSeconds CPU time in the kernel, all threads (page faults, mmap/munmap, thread wake-ups)
 * @param rssBytes resident set now
 * @param peakRssBytes the largest resident set since start or the last {@link #resetPeak()}
 */
public record ProcStats(long minorFaults, long majorFaults, double userSeconds, double systemSeconds, long rssBytes,
                        long peakRssBytes) {
    /** Clock ticks per second of {@code /proc/self/stat}'s times: 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS = 100.0;
    private static final Path STAT = Path.of("/proc/self/stat");
    private static final Path STATUS = Path.of("/proc/self/status");

    /**
     * The native allocator this process runs with: what the launcher chose ({@code ALIGNDET_ALLOCATOR}),
     * else the library in {@code LD_PRELOAD}, else glibc.
     */
    public static String allocator() {
        String chosen = System.getenv("ALIGNDET_ALLOCATOR");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        String preload = System.getenv("LD_PRELOAD");
        return preload == null || preload.isBlank() ? "glibc" : "preloaded (" + preload + ")";
    }

    /**
     * How the Java heap is paged: whether the JVM asks for transparent huge pages
     * ({@code -XX:+UseTransparentHugePages}, which the launcher sets where the kernel's mode is
     * {@code madvise}) and the kernel's mode; on base pages every fresh 4 KB of heap is a fault.
     */
    public static String javaHeapPages() {
        String flag = "unknown";
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm =
                    java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (vm != null) {
                flag = Boolean.parseBoolean(vm.getVMOption("UseTransparentHugePages").getValue())
                        ? "transparent huge pages asked" : "not asked";
            }
        } catch (RuntimeException e) { // not a HotSpot JVM
            flag = "unknown (" + e.getClass().getSimpleName() + ")";
        }
        String mode = "unknown";
        try {
            String line = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            int a = line.indexOf('['), b = line.indexOf(']');
            mode = a >= 0 && b > a ? line.substring(a + 1, b) : line.trim();
        } catch (java.io.IOException | RuntimeException e) {
            // no THP on this kernel: base pages
        }
        return flag + ", kernel THP mode " + mode;
    }

    public boolean available() {
        return minorFaults >= 0;
    }

    /** The counters now. */
    public static ProcStats now() {
        try {
            String stat = Files.readString(STAT);
            // the command name (field 2) is parenthesised and may hold spaces: fields count from after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state): minflt is field 10, majflt 12, utime 14, stime 15
            long minflt = Long.parseLong(f[7]);
            long majflt = Long.parseLong(f[9]);
            double utime = Long.parseLong(f[11]) / TICKS;
            double stime = Long.parseLong(f[12]) / TICKS;
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
            return new ProcStats(minflt, majflt, utime, stime, rss, hwm);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(-1, -1, -1, -1, -1, -1);
        }
    }

    private static long kib(String line) {
        String[] p = line.trim().split("\\s+");
        return Long.parseLong(p[1]) * 1024;
    }

    /**
     * Resets the peak resident set to the current one (Linux 4.0+: {@code 5} written to
     * {@code /proc/self/clear_refs}); false where that is not possible, and the peak then counts from
     * the process's start.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** What changed from {@code before} to this: faults and CPU seconds as differences, memory as now. */
    public ProcStats minus(ProcStats before) {
        if (!available() || !before.available()) {
            return new ProcStats(-1, -1, -1, -1, -1, -1);
        }
        return new ProcStats(minorFaults - before.minorFaults, majorFaults - before.majorFaults, userSeconds - before.userSeconds,
                systemSeconds - before.systemSeconds, rssBytes, peakRssBytes);
    }

    /**
     * Bytes of Java heap allocated so far by all live threads ({@code com.sun.management.ThreadMXBean}),
     * or -1 where the JVM does not count them. Unlike page faults this does not depend on what the
     * allocator or the collector did before, so it compares two builds' per-step garbage exactly.
     */
    public static long javaAllocatedBytes() {
        try {
            java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
            if (t instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()
                    && sun.isThreadAllocatedMemoryEnabled()) {
                return sun.getTotalThreadAllocatedBytes();
            }
        } catch (RuntimeException e) {
            // not counted here
        }
        return -1;
    }
}
