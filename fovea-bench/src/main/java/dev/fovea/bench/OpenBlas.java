package dev.fovea.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * OpenBLAS's {@code cblas_sgemm}, called through the FFM API (java.lang.foreign), for the benchmark only: Fovea
 * itself never calls native code. Debian's {@code libopenblas0-pthread} puts the library in
 * {@code /usr/lib/x86_64-linux-gnu/openblas-pthread/}.
 */
@SuppressWarnings("restricted") // native access is what this class is for; the launcher passes --enable-native-access
public final class OpenBlas {
    public static final String INSTALL = "apt-get install -y libopenblas0-pthread";

    static final List<Path> CANDIDATES = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"),
            Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0"),
            Path.of("/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0"));

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private final Path path;
    private final MethodHandle sgemm, setThreads, getThreads, coreName, config;

    private OpenBlas(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"), FunctionDescriptor.ofVoid(
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_FLOAT, ADDRESS, JAVA_INT));
        setThreads = linker.downcallHandle(lib.findOrThrow("openblas_set_num_threads"), FunctionDescriptor.ofVoid(JAVA_INT));
        getThreads = linker.downcallHandle(lib.findOrThrow("openblas_get_num_threads"), FunctionDescriptor.of(JAVA_INT));
        coreName = linker.downcallHandle(lib.findOrThrow("openblas_get_corename"), FunctionDescriptor.of(ADDRESS));
        config = linker.downcallHandle(lib.findOrThrow("openblas_get_config"), FunctionDescriptor.of(ADDRESS));
    }

    /** The library, or null when none of the usual places has it. */
    public static OpenBlas load() {
        for (Path p : CANDIDATES) if (Files.isReadable(p)) return new OpenBlas(p);
        return null;
    }

    public Path path() {
        return path;
    }

    public void setThreads(int n) {
        try {
            setThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The micro-architecture whose kernels OpenBLAS picked at load time, e.g. "SkylakeX" or "Haswell". */
    public String coreName() {
        return string(coreName);
    }

    /** Build options as OpenBLAS reports them. */
    public String config() {
        return string(config);
    }

    private static String string(MethodHandle h) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact();
            return s.reinterpret(256).getString(0).trim();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Row-major C = alpha op(A) op(B) + beta C on native memory. */
    public void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, MemorySegment a, int lda, MemorySegment b, int ldb,
                      float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A native copy of {@code x}. */
    public static MemorySegment copy(Arena arena, float[] x) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, x.length);
        MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
        return s;
    }
}
