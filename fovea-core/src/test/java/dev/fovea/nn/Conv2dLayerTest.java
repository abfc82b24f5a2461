package dev.fovea.nn;

import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Conv2d and Linear layers: output shapes, "same"/"valid" padding, groups, argument checks, parameter counts. */
class Conv2dLayerTest {

    private static final int[] ONE = {1, 1};

    private static Tensor input(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    private static int[] outShape(Module m, int... inShape) {
        try (var g = Autograd.noGrad()) {
            return m.forward(Tensor.zeros(inShape)).shape();
        }
    }

    @Test
    void outputShapesWithNumericPadding() {
        assertArrayEquals(new int[] {2, 8, 16, 16}, outShape(new Conv2d(3, 8, 3, 2, 1), 2, 3, 32, 32));
        assertArrayEquals(new int[] {1, 6, 24, 24}, outShape(new Conv2d(1, 6, 5), 1, 1, 28, 28));
        assertArrayEquals(new int[] {1, 6, 28, 28}, outShape(new Conv2d(1, 6, 5, 1, 2), 1, 1, 28, 28));
        // AlexNet-like 11x11 stride 4 pad 2: floor((67 + 4 - 11) / 4) + 1 = 16.
        assertArrayEquals(new int[] {1, 4, 16, 16}, outShape(new Conv2d(3, 4, 11, 4, 2), 1, 3, 67, 67));
        // Dilation 2 makes a 3x3 kernel span 5: 10 - 4 = 6.
        assertArrayEquals(new int[] {1, 2, 6, 6}, outShape(new Conv2d(2, 2, 3, 1, 0, 2, 1, true), 1, 2, 10, 10));
        // Stride 2 on an odd size: floor((9 + 2 - 3) / 2) + 1 = 5; on 10: floor(9 / 2) + 1 = 5.
        assertArrayEquals(new int[] {1, 2, 5, 5}, outShape(new Conv2d(1, 2, 3, 2, 1), 1, 1, 9, 10));
        // "valid" is no padding: 12 - 4 = 8, 9 - 4 = 5.
        assertArrayEquals(new int[] {3, 4, 8, 5}, outShape(new Conv2d(3, 4, 5, 1, "valid"), 3, 3, 12, 9));
    }

    @Test
    void rectangularKernels() {
        Conv2d row = new Conv2d(2, 3, new int[] {1, 3}, ONE, new int[] {0, 1}, ONE, 1, true);
        Conv2d col = new Conv2d(2, 3, new int[] {3, 1}, ONE, new int[] {1, 0}, ONE, 1, true);
        assertArrayEquals(new int[] {3, 2, 1, 3}, row.weight().shape());
        assertArrayEquals(new int[] {3, 2, 3, 1}, col.weight().shape());
        assertArrayEquals(new int[] {1, 3, 7, 9}, outShape(row, 1, 2, 7, 9));
        assertArrayEquals(new int[] {1, 3, 7, 9}, outShape(col, 1, 2, 7, 9));
        Conv2d rowNoPad = new Conv2d(2, 3, new int[] {1, 3}, ONE, new int[] {0, 0}, ONE, 1, true);
        Conv2d colNoPad = new Conv2d(2, 3, new int[] {3, 1}, ONE, new int[] {0, 0}, ONE, 1, true);
        assertArrayEquals(new int[] {1, 3, 7, 7}, outShape(rowNoPad, 1, 2, 7, 9));
        assertArrayEquals(new int[] {1, 3, 5, 9}, outShape(colNoPad, 1, 2, 7, 9));
        assertArrayEquals(new int[] {1, 3, 7, 9}, outShape(new Conv2d(2, 3, new int[] {1, 3}, ONE, "same", ONE, 1, true), 1, 2, 7, 9));

        // A 1x3 kernel runs along the width: y[i][j] = 1*x[i][j-1] + 2*x[i][j] + 3*x[i][j+1] + 0.5 (zero outside).
        Conv2d h = new Conv2d(1, 1, new int[] {1, 3}, ONE, new int[] {0, 1}, ONE, 1, true);
        h.weight().copyFrom(Tensor.of(new float[] {1, 2, 3}, 1, 1, 1, 3));
        h.bias().copyFrom(Tensor.of(new float[] {0.5f}, 1));
        Tensor x = input(1, 1, 1, 4, 5);
        Tensor y = h.forward(x);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                double left = j > 0 ? x.get(0, 0, i, j - 1) : 0, right = j < 4 ? x.get(0, 0, i, j + 1) : 0;
                assertEquals(left + 2 * x.get(0, 0, i, j) + 3 * right + 0.5, y.get(0, 0, i, j), 1e-5, "at " + i + "," + j);
            }
        }
    }

    /**
     * "same" padding against an explicit pad2d and an unpadded convolution with the same weights. PyTorch's rule:
     * total = dilation * (k - 1) per axis, left/top = total / 2 (rounded down), right/bottom = the rest.
     */
    private static void checkSame(int[] k, int[] d, int groups, int h, int w) {
        int in = 3, out = 3 * 2;
        Rng.manualSeed(100 + k[0] * 10 + k[1] + d[0] * 7);
        Conv2d same = new Conv2d(in, out, k, ONE, "same", d, groups, true);
        Tensor bias = input(3, out);
        same.bias().copyFrom(bias);
        Conv2d plain = new Conv2d(in, out, k, ONE, new int[] {0, 0}, d, groups, true);
        plain.loadStateDict(same.stateDict());

        int th = d[0] * (k[0] - 1), tw = d[1] * (k[1] - 1);
        int top = th / 2, bottom = th - top, left = tw / 2, right = tw - left;
        Tensor x = input(7, 2, in, h, w);
        float[] got = same.forward(x).toFloatArray();
        Tensor ref = plain.forward(x.pad2d(top, bottom, left, right));
        String what = "kernel " + k[0] + "x" + k[1] + " dilation " + d[0] + "x" + d[1] + " on " + h + "x" + w;
        assertArrayEquals(new int[] {2, out, h, w}, ref.shape(), what);
        assertArrayEquals(ref.toFloatArray(), got, 1e-5f, what);

        if (th % 2 == 1 || tw % 2 == 1) {
            // The other placement of the extra row/column (top/left) really gives a different answer.
            Tensor wrong = plain.forward(x.pad2d(bottom, top, right, left));
            float maxDiff = 0;
            float[] wr = wrong.toFloatArray();
            for (int i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wr[i] - got[i]));
            assertTrue(maxDiff > 1e-3, what + ": the extra padding went top/left");
        }
    }

    @Test
    void samePaddingKeepsTheSizeAndPadsLikePyTorch() {
        checkSame(new int[] {3, 3}, ONE, 1, 7, 8);
        checkSame(new int[] {5, 5}, ONE, 1, 6, 6);
        checkSame(new int[] {4, 4}, ONE, 1, 7, 8);      // even: total 3, one more bottom/right
        checkSame(new int[] {2, 2}, ONE, 1, 5, 6);      // even: total 1, all of it bottom/right
        checkSame(new int[] {3, 3}, new int[] {2, 2}, 1, 9, 8);
        checkSame(new int[] {4, 4}, new int[] {2, 2}, 1, 9, 10); // even kernel, dilation 2: total 6, symmetric
        checkSame(new int[] {2, 2}, new int[] {3, 3}, 1, 8, 7);  // total 3, odd
        checkSame(new int[] {2, 5}, new int[] {1, 2}, 1, 6, 9);  // odd height total, even width total
        checkSame(new int[] {4, 3}, ONE, 3, 7, 7);      // grouped, odd height total only
        checkSame(new int[] {1, 3}, ONE, 1, 4, 6);
        checkSame(new int[] {3, 1}, ONE, 1, 4, 6);
    }

    @Test
    void groupsAndDepthwiseParameterShapes() {
        Conv2d grouped = new Conv2d(8, 16, 3, 1, 1, 1, 4, true);
        assertArrayEquals(new int[] {16, 2, 3, 3}, grouped.weight().shape());
        assertArrayEquals(new int[] {16}, grouped.bias().shape());
        assertEquals(16 * 2 * 9 + 16, grouped.parameterCount());

        Conv2d depthwise = new Conv2d(8, 8, 3, 1, 1, 1, 8, false);
        assertArrayEquals(new int[] {8, 1, 3, 3}, depthwise.weight().shape());
        assertEquals(List.of("weight"), new ArrayList<>(depthwise.stateDict().keySet()));
        assertEquals(72, depthwise.parameterCount());

        // Depthwise: changing input channel 5 changes output channel 5 only.
        Tensor x = input(4, 1, 8, 5, 5);
        float[] a = depthwise.forward(x).toFloatArray();
        Tensor x2 = x.copy();
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) x2.set(x2.get(0, 5, i, j) + 1, 0, 5, i, j);
        float[] b = depthwise.forward(x2).toFloatArray();
        for (int c = 0; c < 8; c++) {
            boolean changed = false;
            for (int p = 0; p < 25; p++) changed |= a[c * 25 + p] != b[c * 25 + p];
            assertEquals(c == 5, changed, "output channel " + c);
        }
    }

    @Test
    void badConstructorArgumentsAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(6, 8, 3, 1, 0, 1, 4, true));
        assertTrue(e.getMessage().contains("groups=4") && e.getMessage().contains("in=6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(8, 6, 3, 1, 0, 1, 4, true));
        assertTrue(e.getMessage().contains("groups=4") && e.getMessage().contains("out=6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(8, 8, 3, 1, 0, 1, 0, true));

        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 3, 3, 2, "same"));
        assertTrue(e.getMessage().contains("same") && e.getMessage().contains("stride"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 3, new int[] {3, 3}, new int[] {1, 2}, "same", ONE, 1, true));
        assertTrue(e.getMessage().contains("stride"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 3, 3, 1, "full"));
        assertTrue(e.getMessage().contains("\"full\""), e.getMessage());
        assertTrue(e.getMessage().contains("same") && e.getMessage().contains("valid"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 3, 3));
        assertTrue(e.getMessage().contains("in=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 3, new int[] {3}, ONE, new int[] {0, 0}, ONE, 1, true));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
    }

    @Test
    void linearInputOfWrongRankSuggestsFlatten() {
        Linear fc = new Linear(12, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fc.forward(Tensor.zeros(2, 3, 2, 2)));
        assertTrue(e.getMessage().contains("Flatten"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3, 2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fc.forward(Tensor.zeros(12)));
        assertTrue(e.getMessage().contains("Flatten"), e.getMessage());
        // With a Flatten in front it works.
        assertArrayEquals(new int[] {2, 3}, new Sequential(new Flatten(), fc).forward(Tensor.zeros(2, 3, 2, 2)).shape());
    }

    @Test
    void linearComputesXWTransposePlusB() {
        Linear fc = new Linear(3, 2);
        fc.weight().copyFrom(Tensor.of(new float[] {1, 2, 3, -1, 0, 0.5f}, 2, 3));
        fc.bias().copyFrom(Tensor.of(new float[] {10, 20}, 2));
        Tensor y = fc.forward(Tensor.of(new float[] {1, 1, 1, 2, 0, -2}, 2, 3));
        assertArrayEquals(new float[] {16, 19.5f, 6, 17}, y.toFloatArray(), 1e-6f);
    }

    @Test
    void parameterCountsFromTheCourseNotes() {
        Conv2d big = new Conv2d(128, 256, 5, 1, 2, 1, 1, false);
        assertEquals(819_200, big.parameterCount());
        assertEquals(5L * 5 * 128 * 256, big.parameterCount());

        Conv2d reduce = new Conv2d(128, 64, 1, 1, 0, 1, 1, false);
        Conv2d conv = new Conv2d(64, 256, 5, 1, 2, 1, 1, false);
        assertEquals(8_192, reduce.parameterCount());
        assertEquals(409_600, conv.parameterCount());
        Sequential bottleneck = new Sequential(reduce, new ReLU(), conv);
        assertEquals(417_792, bottleneck.parameterCount());
        // With biases the counts grow by the output channels.
        assertEquals(819_200 + 256, new Conv2d(128, 256, 5, 1, 2).parameterCount());
        assertEquals(400 * 120 + 120, new Linear(400, 120).parameterCount());
        assertEquals(400 * 120, new Linear(400, 120, false).parameterCount());
    }

    @Test
    void toStringShowsTheConfiguration() {
        String s = new Sequential(new Conv2d(3, 8, 3, 1, "same"), new ReLU(), new Flatten(), new Linear(8, 2)).toString();
        assertTrue(s.contains("(0): Conv2d(in=3, out=8, kernel=[3, 3], stride=[1, 1], padding=same"), s);
        assertTrue(s.contains("(1): ReLU()"), s);
        assertTrue(s.contains("(3): Linear(in=8, out=2, bias=true)"), s);
        assertFalse(s.isBlank());
    }
}
