package dev.fovea.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The contents of one IDX file of unsigned bytes, the format MNIST and Fashion-MNIST ship in.
 *
 * <p>An IDX file is a 4-byte magic number (two zero bytes, an element type code, the number of dimensions), one
 * big-endian 32-bit size per dimension, then the elements in row-major order. Only unsigned bytes (type 0x08) are
 * supported because every image dataset in this format uses them; other types are rejected by name rather than
 * misread.
 *
 * <p>Files are read whole, raw or gzip-compressed. Compression is recognised by the gzip magic bytes, not by the
 * file name, because downloads are often renamed or decompressed in place. The header is checked before any
 * payload is allocated, and a compressed file is never read past its declared size plus one byte (enough to notice
 * trailing data), so a corrupt or hostile header cannot make the reader exhaust memory.
 */
public final class IdxFile {
    /** The element type code of unsigned bytes, the only type read. */
    static final int UNSIGNED_BYTE = 0x08;

    /** The largest byte array JVMs reliably allocate (a few header words short of {@code Integer.MAX_VALUE}). */
    static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;

    private static final int BUFFER_BYTES = 1 << 16;

    private final Path file;
    private final int[] dims;
    private final byte[] data;

    private IdxFile(Path file, int[] dims, byte[] data) {
        this.file = file;
        this.dims = dims;
        this.data = data;
    }

    /** Reads an IDX file of unsigned bytes with 1 to 4 dimensions, raw or gzip-compressed. */
    public static IdxFile read(Path file) {
        return read(file, 0);
    }

    /**
     * Like {@link #read(Path)}, but the file must have exactly {@code expectedDims} dimensions; knowing what the
     * caller expects lets a wrong magic number be reported against the right one. 0 accepts 1 to 4.
     */
    static IdxFile read(Path file, int expectedDims) {
        try {
            boolean gzip = startsWithGzipMagic(file);
            try (InputStream in = open(file, gzip)) {
                return read(file, in, gzip, expectedDims);
            }
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found", e);
        } catch (EOFException e) {
            throw new DataException(file + ": file ends unexpectedly, truncated download? (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e + ")", e);
        }
    }

    /** The file this was read from, for messages about its contents. */
    public Path file() {
        return file;
    }

    /** The size of each dimension, outermost first (for images: count, rows, columns). A copy. */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * The elements in row-major order, each an unsigned byte (read with {@code b & 0xFF}). Not a copy: an image
     * dataset is tens of megabytes, so callers share it and must not write to it.
     */
    public byte[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "IdxFile[" + file + ", " + dimsText(dims) + "]";
    }

    // ---------------------------------------------------------------- reading

    private static boolean startsWithGzipMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int b0 = in.read();
            int b1 = in.read();
            return b0 == 0x1f && b1 == 0x8b;
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
        if (!gzip) return in;
        try {
            return new GZIPInputStream(in, BUFFER_BYTES);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private static IdxFile read(Path file, InputStream in, boolean gzip, int expectedDims) throws IOException {
        // "the file" for raw files; for gzip files sizes are counted after decompression, so say so.
        String source = gzip ? "the decompressed data" : "the file";

        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new DataException(file + ": too short for an IDX file: " + source + " has " + magic.length
                    + " bytes, the magic number alone takes 4");
        }
        int magicNumber = readInt(magic, 0);
        int typeCode = magic[2] & 0xFF;
        int ndims = magic[3] & 0xFF;
        // Every complaint about the magic number starts the same way, so the message shows what was expected.
        String badMagic = file + ": bad magic number " + hex8(magicNumber) + ", expected " + expectedMagic(expectedDims);
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataException(badMagic + "; this is not an IDX file");
        }
        if (typeCode != UNSIGNED_BYTE) {
            String typeName = typeName(typeCode);
            if (typeName == null) {
                throw new DataException(badMagic + ": unknown element type " + hex2(typeCode)
                        + " (IDX defines 0x08, 0x09, 0x0B, 0x0C, 0x0D and 0x0E)");
            }
            throw new DataException(file + ": element type " + hex2(typeCode) + " (" + typeName
                    + ") is not supported, only 0x08 (unsigned bytes)");
        }
        if (ndims < 1 || ndims > 4 || (expectedDims > 0 && ndims != expectedDims)) {
            throw new DataException(badMagic + ", found " + ndims + (ndims == 1 ? " dimension" : " dimensions"));
        }

        int headerBytes = 4 + 4 * ndims;
        byte[] sizes = in.readNBytes(4 * ndims);
        if (sizes.length < 4 * ndims) {
            throw new DataException(file + ": truncated header: it declares " + ndims + " dimensions, so "
                    + headerBytes + " header bytes, but " + source + " ends after " + (4 + sizes.length));
        }
        int[] dims = new int[ndims];
        long payloadBytes = 1;
        for (int i = 0; i < ndims; i++) {
            long size = Integer.toUnsignedLong(readInt(sizes, 4 * i));
            if (size == 0) {
                throw new DataException(file + ": dimension " + (i + 1) + " of " + ndims
                        + " has size 0, every dimension must be positive");
            }
            // Both factors are at most 2^31 here, so the product cannot overflow a long.
            if (size > MAX_PAYLOAD_BYTES || payloadBytes * size > MAX_PAYLOAD_BYTES) {
                throw new DataException(file + ": header declares " + dimsTextUnsigned(sizes, ndims)
                        + " values, more than the " + MAX_PAYLOAD_BYTES + "-byte limit of one array");
            }
            payloadBytes *= size;
            dims[i] = (int) size;
        }

        byte[] data;
        if (gzip) {
            // The decompressed size is unknown until it is read, so read no more than declared: readNBytes grows its
            // buffer as bytes arrive, so a header that lies about a huge size costs only what the stream holds.
            data = in.readNBytes((int) payloadBytes);
            if (data.length < payloadBytes) {
                throw new DataException(file + ": truncated: " + source + " has " + data.length
                        + " payload bytes but its header declares " + dimsText(dims) + " values (" + payloadBytes
                        + " bytes)");
            }
            if (in.read() != -1) {
                throw new DataException(file + ": trailing bytes: " + source + " goes on past the " + payloadBytes
                        + " payload bytes its header declares (" + dimsText(dims) + ")");
            }
        } else {
            // A raw file's size is known up front, so the payload is allocated only once it is known to fit.
            long fileBytes = Files.size(file);
            long declaredBytes = headerBytes + payloadBytes;
            if (fileBytes != declaredBytes) {
                String problem = fileBytes < declaredBytes ? "truncated" : (fileBytes - declaredBytes) + " trailing bytes";
                throw new DataException(file + ": " + problem + ": file has " + fileBytes
                        + " bytes but its header declares " + dimsText(dims) + " values (" + declaredBytes + " bytes)");
            }
            data = new byte[(int) payloadBytes];
            int n = in.readNBytes(data, 0, data.length);
            if (n < data.length || in.read() != -1) {
                throw new DataException(file + ": file changed size while being read");
            }
        }
        return new IdxFile(file, dims, data);
    }

    // ---------------------------------------------------------------- helpers

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static String expectedMagic(int expectedDims) {
        if (expectedDims > 0) {
            return hex8(UNSIGNED_BYTE << 8 | expectedDims) + " (unsigned bytes, " + expectedDims
                    + (expectedDims == 1 ? " dimension)" : " dimensions)");
        }
        return "0x000008NN (two zero bytes, 0x08 for unsigned bytes, NN = 1 to 4 dimensions)";
    }

    /** The IDX names of the element types other than unsigned bytes; null for codes IDX does not define. */
    private static String typeName(int typeCode) {
        return switch (typeCode) {
            case 0x09 -> "signed bytes";
            case 0x0B -> "16-bit integers";
            case 0x0C -> "32-bit integers";
            case 0x0D -> "32-bit floats";
            case 0x0E -> "64-bit floats";
            default -> null;
        };
    }

    static String dimsText(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) s.append(" x ");
            s.append(dims[i]);
        }
        return s.toString();
    }

    private static String dimsTextUnsigned(byte[] sizes, int ndims) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ndims; i++) {
            if (i > 0) s.append(" x ");
            s.append(Integer.toUnsignedString(readInt(sizes, 4 * i)));
        }
        return s.toString();
    }

    private static String hex8(int v) {
        return String.format("0x%08X", v);
    }

    private static String hex2(int v) {
        return String.format("0x%02X", v);
    }
}
