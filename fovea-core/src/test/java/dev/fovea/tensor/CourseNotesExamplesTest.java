package dev.fovea.tensor;

import dev.fovea.kernels.ConvShape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The worked numbers of the course notes on convolutional networks, and a convolution computed by hand. */
class CourseNotesExamplesTest {

    private static final int[] ONE = {1, 1};

    private static int[] pair(int v) {
        return new int[] {v, v};
    }

    @Test
    void outputSizeFormulaW256F12P2S4Gives63() {
        // N = floor((W - F + 2P) / S) + 1 = floor((256 - 12 + 4) / 4) + 1 = 62 + 1 = 63.
        assertEquals(63, ConvShape.outSize(256, 12, 4, 2, 1));
        Tensor x = Tensor.zeros(1, 1, 256, 256);
        Tensor w = Tensor.zeros(2, 1, 12, 12);
        Tensor y = Convolution.conv2d(x, w, null, pair(4), pair(2), ONE, 1);
        assertArrayEquals(new int[] {1, 2, 63, 63}, y.shape());
    }

    @Test
    void twoHundredThroughConvPoolConv() {
        // 200x200, conv 5x5 pad 1 stride 2: floor((200 - 5 + 2) / 2) + 1 = 98 + 1 = 99.
        assertEquals(99, ConvShape.outSize(200, 5, 2, 1, 1));
        Rng rng = new Rng(3);
        Tensor x = Tensor.randn(rng, 1, 1, 200, 200);
        Tensor h1 = Convolution.conv2d(x, Tensor.randn(rng, 2, 1, 5, 5), Tensor.zeros(2), pair(2), pair(1), ONE, 1);
        assertArrayEquals(new int[] {1, 2, 99, 99}, h1.shape());
        // 3x3 max pool, stride 1: 99 - 3 + 1 = 97.
        Tensor h2 = Pooling.maxPool2d(h1, pair(3), pair(1), pair(0), false);
        assertArrayEquals(new int[] {1, 2, 97, 97}, h2.shape());
        // conv 3x3 pad 1 stride 1 keeps the size: (97 - 3 + 2) / 1 + 1 = 97.
        Tensor h3 = Convolution.conv2d(h2, Tensor.randn(rng, 3, 2, 3, 3), null, ONE, pair(1), ONE, 1);
        assertArrayEquals(new int[] {1, 3, 97, 97}, h3.shape());
    }

    /** The 4x4 input of the pooling back-propagation example, with its window maxima marked. */
    private static final double[] POOL_INPUT = {
            1, /*5*/ 5, 3, 2,
            4, 0, 7, /*9*/ 9,
            6, /*8*/ 8, 1, 0,
            2, 3, 4, /*5*/ 5};

    private static final double[] GRAD_OUTPUT = {2, 8, 4, 6};

    @Test
    void maxPoolBackpropagationSendsEachGradientToItsWindowsArgMax() {
        // Windows (2x2, stride 2): top-left max 5 at (0,1), top-right max 9 at (1,3),
        // bottom-left max 8 at (2,1), bottom-right max 5 at (3,3).
        Tensor x = Tensor.of(POOL_INPUT.clone(), 1, 1, 4, 4).requiresGrad(true);
        Tensor y = Pooling.maxPool2d(x, pair(2), pair(2), pair(0), false);
        assertArrayEquals(new double[] {5, 9, 8, 5}, y.toDoubleArray());
        y.backward(Tensor.of(GRAD_OUTPUT.clone(), 1, 1, 2, 2));
        assertArrayEquals(new double[] {
                0, 2, 0, 0,
                0, 0, 0, 8,
                0, 4, 0, 0,
                0, 0, 0, 6}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void avgPoolBackpropagationSpreadsEachGradientAsAQuarter() {
        Tensor x = Tensor.of(POOL_INPUT.clone(), 1, 1, 4, 4).requiresGrad(true);
        Tensor y = Pooling.avgPool2d(x, pair(2), pair(2), pair(0), false, true);
        assertArrayEquals(new double[] {(1 + 5 + 4 + 0) / 4.0, (3 + 2 + 7 + 9) / 4.0, (6 + 8 + 2 + 3) / 4.0, (1 + 0 + 4 + 5) / 4.0},
                y.toDoubleArray(), 1e-15);
        y.backward(Tensor.of(GRAD_OUTPUT.clone(), 1, 1, 2, 2));
        assertArrayEquals(new double[] {
                0.5, 0.5, 2, 2,
                0.5, 0.5, 2, 2,
                1, 1, 1.5, 1.5,
                1, 1, 1.5, 1.5}, x.grad().toDoubleArray(), 0.0);
    }

    /**
     * Two input channels of 5x5, two 3x3 filters, stride 2, padding 1, bias [1, 0]: a 2x3x3 output computed by
     * hand. With padding 1 and stride 2 the output pixel (i, j) is centred on input pixel (2i, 2j).
     */
    @Test
    void handComputedConvolution() {
        double[] x = {
                // channel 0
                1, 2, 0, 1, 2,
                0, 1, 3, 1, 0,
                2, 1, 0, 2, 1,
                1, 0, 2, 1, 3,
                0, 2, 1, 0, 1,
                // channel 1
                2, 0, 1, 0, 1,
                1, 1, 0, 2, 0,
                0, 2, 1, 1, 2,
                1, 0, 0, 1, 1,
                2, 1, 2, 0, 0};
        double[] w = {
                // filter 0, channel 0: x[r-1][c-1] - x[r-1][c+1] + x[r][c] - x[r+1][c-1] + x[r+1][c+1]
                1, 0, -1,
                0, 1, 0,
                -1, 0, 1,
                // filter 0, channel 1: up + left - centre + right + down
                0, 1, 0,
                1, -1, 1,
                0, 1, 0,
                // filter 1, channel 0: twice the centre
                0, 0, 0,
                0, 2, 0,
                0, 0, 0,
                // filter 1, channel 1: top-left + bottom-right
                1, 0, 0,
                0, 0, 0,
                0, 0, 1};
        /*
         * Filter 0 (bias 1), centres (r, c) = (0,0) (0,2) (0,4) / (2,0) (2,2) (2,4) / (4,0) (4,2) (4,4):
         *   channel 0:  (0,0) 0-0+1-0+1 = 2    (0,2) 0-0+0-1+1 = 0    (0,4) 0-0+2-1+0 = 1
         *               (2,0) 0-1+2-0+0 = 1    (2,2) 1-1+0-0+1 = 1    (2,4) 1-0+1-1+0 = 1
         *               (4,0) 0-0+0-0+0 = 0    (4,2) 0-1+1-0+0 = 0    (4,4) 1-0+1-0+0 = 2
         *   channel 1:  (0,0) 0+0-2+0+1 = -1   (0,2) 0+0-1+0+0 = -1   (0,4) 0+0-1+0+0 = -1
         *               (2,0) 1+0-0+2+1 = 4    (2,2) 0+2-1+1+0 = 2    (2,4) 0+1-2+0+1 = 0
         *               (4,0) 1+0-2+1+0 = 0    (4,2) 0+1-2+0+0 = -1   (4,4) 1+0-0+0+0 = 1
         *   sum + 1:    2-1+1 = 2   0-1+1 = 0   1-1+1 = 1
         *               1+4+1 = 6   1+2+1 = 4   1+0+1 = 2
         *               0+0+1 = 1   0-1+1 = 0   2+1+1 = 4
         * Filter 1 (bias 0):
         *   channel 0 (2 * centre):  2*1 = 2   2*0 = 0   2*2 = 4  /  2*2 = 4   2*0 = 0   2*1 = 2  /  2*0 = 0   2*1 = 2   2*1 = 2
         *   channel 1 (x[r-1][c-1] + x[r+1][c+1]):
         *               (0,0) 0+1 = 1   (0,2) 0+2 = 2   (0,4) 0+0 = 0
         *               (2,0) 0+0 = 0   (2,2) 1+1 = 2   (2,4) 2+0 = 2
         *               (4,0) 0+0 = 0   (4,2) 0+0 = 0   (4,4) 1+0 = 1
         *   sum:        3 2 4 / 4 2 4 / 0 2 3
         */
        double[] expected = {
                2, 0, 1,
                6, 4, 2,
                1, 0, 4,

                3, 2, 4,
                4, 2, 4,
                0, 2, 3};
        Tensor y = Convolution.conv2d(Tensor.of(x, 1, 2, 5, 5), Tensor.of(w, 2, 2, 3, 3), Tensor.of(new double[] {1, 0}, 2),
                pair(2), pair(1), ONE, 1);
        assertArrayEquals(new int[] {1, 2, 3, 3}, y.shape());
        double[] got = y.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 0.0, "output [channel, row, column] = " + java.util.Arrays.toString(GradCheck.unflatten(i, new int[] {2, 3, 3})));
        }
        // And in float32: small integers are exact there too.
        Tensor y32 = Convolution.conv2d(Tensor.of(x, 1, 2, 5, 5).to(DType.FLOAT32), Tensor.of(w, 2, 2, 3, 3).to(DType.FLOAT32),
                Tensor.of(new float[] {1, 0}, 2), pair(2), pair(1), ONE, 1);
        assertArrayEquals(expected, y32.toDoubleArray(), 0.0);
    }
}
