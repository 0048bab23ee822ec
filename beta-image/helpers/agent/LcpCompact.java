import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The local flavor's checkpoint agent (lcp-compact.jar, built by Dockerfile.local): lcp-checkpoint.sh
 * starts the checkpoint run's JVM with {@code -javaagent:lcp-compact.jar=<dir>}, and once the server
 * is ready it asks the JVM, through the FIFO {@code <dir>/request}, to make its memory small before
 * criu dumps it: a full GC with MinHeapFreeRatio/MaxHeapFreeRatio lowered so the heap shrinks to what
 * is live (G1 gives the free regions back to the OS in the background: it waits until the RSS stops
 * falling), glibc's malloc_trim, then the ratios the server runs with again, so the restored server
 * sizes its heap as usual. The answer, one line, goes to the FIFO {@code <dir>/reply}; then the
 * agent's thread ends, so the checkpoint holds no trace of it but its loaded classes. In process,
 * because HotSpot's attach mechanism (jcmd) would leave a listening socket that criu cannot restore
 * without privileges.
 */
public final class LcpCompact {
    private LcpCompact() {
    }

    /** Starts the thread that waits for the request. */
    public static void premain(String dir) {
        Thread t = new Thread(() -> serve(Path.of(dir)), "lcp-compact");
        t.setDaemon(true);
        t.start();
    }

    private static void serve(Path dir) {
        String reply;
        // FileInputStream.readAllBytes would seek, which a FIFO cannot: read it as a stream of lines.
        try (BufferedReader request = new BufferedReader(new InputStreamReader(
                new FileInputStream(dir.resolve("request").toFile()), StandardCharsets.US_ASCII))) {
            int maxFree = Integer.parseInt(String.valueOf(request.readLine()).trim());
            reply = compact(maxFree);
        } catch (Exception | LinkageError e) {
            reply = "failed: " + e;
        }
        try (FileOutputStream out = new FileOutputStream(dir.resolve("reply").toFile())) {
            out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("lcp-compact: cannot reply: " + e);
        }
    }

    private static String compact(int maxFree) throws Exception {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
        String min = hotspot.getVMOption("MinHeapFreeRatio").getValue();
        String max = hotspot.getVMOption("MaxHeapFreeRatio").getValue();
        long started = rssKb();
        hotspot.setVMOption("MinHeapFreeRatio", "0");
        hotspot.setVMOption("MaxHeapFreeRatio", Integer.toString(maxFree));
        try {
            dcmd(server, dcmd, "gcRun"); // GC.run: a full GC, whatever -XX:+DisableExplicitGC says
            long last = rssKb();
            for (int i = 0; i < 20; i++) {
                Thread.sleep(150);
                long now = rssKb();
                if (now > last - 1024) {
                    break;
                }
                last = now;
            }
            dcmd(server, dcmd, "systemTrimNativeHeap"); // System.trim_native_heap: glibc's malloc_trim
        } finally {
            hotspot.setVMOption("MaxHeapFreeRatio", max);
            hotspot.setVMOption("MinHeapFreeRatio", min);
        }
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return "compacted: RSS " + started + " kB -> " + rssKb() + " kB (full GC with MaxHeapFreeRatio=" + maxFree
                + ", malloc_trim; MinHeapFreeRatio=" + min + " MaxHeapFreeRatio=" + max + " again); memory at checkpoint: heap-committed="
                + heap.getCommitted() / 1024 + " kB heap-max=" + heap.getMax() / 1024 + " kB";
    }

    private static void dcmd(MBeanServer server, ObjectName dcmd, String operation) throws Exception {
        server.invoke(dcmd, operation, new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
