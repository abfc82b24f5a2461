package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxout and glu: values from their definitions, the grouping of channels, ties, and gradients; gated convolution. */
class ChannelOpsTest {

    // ---------------------------------------------------------------- subsample and pad channels

    @Test
    void subsamplePadChannelsEqualsStridedPoolingThenConcatenation() {
        for (int[] shape : new int[][] {{2, 3, 5, 4}, {1, 2, 8, 8}, {3, 1, 1, 7}}) {
            for (int stride : new int[] {1, 2, 3}) {
                Tensor x = GradCheck.param(3, shape).detach();
                int n = shape[0], h = (shape[2] + stride - 1) / stride, w = (shape[3] + stride - 1) / stride;
                Tensor pooled = Pooling.maxPool2d(x, new int[] {1, 1}, new int[] {stride, stride}, new int[] {0, 0}, false);
                Tensor expected = Tensor.concat(1, Tensor.zeros(x.dtype(), n, 2, h, w), pooled, Tensor.zeros(x.dtype(), n, 3, h, w));
                Tensor y = ChannelOps.subsamplePadChannels(x, stride, 2, 3);
                assertArrayEquals(expected.shape(), y.shape());
                assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 0);
                assertArrayEquals(expected.toFloatArray(), ChannelOps.subsamplePadChannels(x.to(DType.FLOAT32), stride, 2, 3).toFloatArray(), 0);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.subsamplePadChannels(Tensor.zeros(2, 3), 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.subsamplePadChannels(Tensor.zeros(1, 1, 2, 2), 0, 1, 1));
    }

    @Test
    void subsamplePadChannelsGradients() {
        Tensor x = GradCheck.param(4, 2, 3, 5, 6);
        GradCheck.check("subsamplePadChannels stride 2", in -> ChannelOps.subsamplePadChannels(in.get(0), 2, 1, 2), x);
        GradCheck.check("subsamplePadChannels stride 1, no padding", in -> ChannelOps.subsamplePadChannels(in.get(0), 1, 0, 0), x);
    }

    // ---------------------------------------------------------------- maxout

    @Test
    void maxoutTakesTheMaxOfConsecutiveChannels() {
        // 1 image, 6 channels, 1 pixel; pieces 3: channels {0,1,2} and {3,4,5}.
        Tensor x = Tensor.of(new double[] {1, 7, 3, -2, -5, -1}, 1, 6, 1, 1);
        assertArrayEquals(new double[] {7, -1}, ChannelOps.maxout(x, 3).toDoubleArray(), 0);
        // pieces 2: {0,1}, {2,3}, {4,5} (not interleaved {0,3}, {1,4}, {2,5}, which would give 1, 7, 3).
        assertArrayEquals(new double[] {7, 3, -1}, ChannelOps.maxout(x, 2).toDoubleArray(), 0);
        assertArrayEquals(x.toDoubleArray(), ChannelOps.maxout(x, 1).toDoubleArray(), 0);
    }

    @Test
    void maxoutEqualsViewThenMax() {
        int n = 2, c = 3, pieces = 4, h = 3, w = 2;
        Tensor x = GradCheck.param(1, n, c * pieces, h, w).detach();
        Tensor viaMax = x.reshape(n, c, pieces, h, w).max(2, false);
        Tensor y = ChannelOps.maxout(x, pieces);
        assertArrayEquals(new int[] {n, c, h, w}, y.shape());
        assertArrayEquals(viaMax.toDoubleArray(), y.toDoubleArray(), 0);
        // float32 too, and rank 2 (fully connected maxout).
        assertArrayEquals(viaMax.toFloatArray(), ChannelOps.maxout(x.to(DType.FLOAT32), pieces).toFloatArray(), 0);
        Tensor fc = GradCheck.param(2, 3, 10).detach();
        assertArrayEquals(fc.reshape(3, 2, 5).max(2, false).toDoubleArray(), ChannelOps.maxout(fc, 5).toDoubleArray(), 0);
    }

    @Test
    void maxoutGradients() {
        GradCheck.check("maxout 4D", in -> ChannelOps.maxout(in.get(0), 3), GradCheck.distinctParam(3, 2, 6, 3, 2));
        GradCheck.check("maxout 2D", in -> ChannelOps.maxout(in.get(0), 2), GradCheck.distinctParam(4, 3, 8));
        GradCheck.check("maxout 3D, permuted", in -> ChannelOps.maxout(in.get(0).permute(0, 2, 1), 4), GradCheck.distinctParam(5, 2, 3, 8));
    }

    @Test
    void maxoutTiesSendTheGradientToTheFirstMaximum() {
        Tensor x = Tensor.of(new double[] {2, 5, 5, 1, /* second group */ 3, 3, 3, 3}, 1, 8, 1, 1).requiresGrad(true);
        ChannelOps.maxout(x, 4).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0, 1, 0, 0, 0}, x.grad().toDoubleArray(), 0);
        // A NaN wins, as in torch.max.
        Tensor nan = Tensor.of(new double[] {1, Double.NaN, 3, 0}, 1, 4, 1, 1);
        assertTrue(Double.isNaN(ChannelOps.maxout(nan, 2).get(0, 0, 0, 0)));
        assertEquals(3, ChannelOps.maxout(nan, 2).get(0, 1, 0, 0));
    }

    @Test
    void maxoutErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.maxout(Tensor.zeros(1, 5, 2, 2), 2));
        assertTrue(e.getMessage().contains("5 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.maxout(Tensor.zeros(1, 4, 2, 2), 0));
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.maxout(Tensor.zeros(4), 2));
    }

    // ---------------------------------------------------------------- glu

    @Test
    void gluIsFirstHalfTimesSigmoidOfSecondHalf() {
        Tensor x = GradCheck.param(10, 2, 6, 3, 2).detach();
        Tensor a = x.slice(1, 0, 3), b = x.slice(1, 3, 6);
        Tensor expected = a.mul(b.sigmoid());
        Tensor y = ChannelOps.glu(x, 1);
        assertArrayEquals(new int[] {2, 3, 3, 2}, y.shape());
        assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 1e-15);
        // Along the last dimension (torch.nn.GLU's default), and with a negative index.
        Tensor z = GradCheck.param(11, 3, 4, 8).detach();
        Tensor ze = z.slice(2, 0, 4).mul(z.slice(2, 4, 8).sigmoid());
        assertArrayEquals(ze.toDoubleArray(), ChannelOps.glu(z, -1).toDoubleArray(), 1e-15);
        assertArrayEquals(ze.toDoubleArray(), ChannelOps.glu(z, 2).toDoubleArray(), 1e-15);
        // Along the batch dimension: halves of the batch.
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.glu(z, 0)); // 3 is odd
        Tensor zz = GradCheck.param(12, 2, 4, 8).detach();
        assertArrayEquals(zz.slice(0, 0, 1).mul(zz.slice(0, 1, 2).sigmoid()).toDoubleArray(), ChannelOps.glu(zz, 0).toDoubleArray(), 1e-15);
        // float32 path and extreme gates.
        assertArrayEquals(expected.toFloatArray(), ChannelOps.glu(x.to(DType.FLOAT32), 1).toFloatArray(), 1e-6f);
        Tensor extreme = Tensor.of(new double[] {2, 3, 1000, -1000}, 1, 4);
        assertArrayEquals(new double[] {2, 0}, ChannelOps.glu(extreme, 1).toDoubleArray(), 0);
    }

    @Test
    void gluGradients() {
        GradCheck.check("glu dim 1", in -> ChannelOps.glu(in.get(0), 1), GradCheck.param(13, 2, 4, 3, 2));
        GradCheck.check("glu dim -1", in -> ChannelOps.glu(in.get(0), -1), GradCheck.param(14, 3, 2, 6));
        GradCheck.check("glu dim 0", in -> ChannelOps.glu(in.get(0), 0), GradCheck.param(15, 4, 3));
        GradCheck.check("glu of a transposed input", in -> ChannelOps.glu(in.get(0).transpose(0, 1), 1), GradCheck.param(16, 6, 3));
    }

    @Test
    void gluErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.glu(Tensor.zeros(2, 5, 3), 1));
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChannelOps.glu(Tensor.zeros(2, 4), 2));
    }

    // ---------------------------------------------------------------- gated convolution = conv with 2*out channels, then glu

    @Test
    void gatedConvolutionGradients() {
        int[] s = {1, 1}, p = {1, 1}, d = {1, 1};
        GradCheck.check("conv(2*out) -> glu(1)",
                in -> ChannelOps.glu(Convolution.conv2d(in.get(0), in.get(1), in.get(2), s, p, d, 1), 1),
                GradCheck.param(20, 2, 3, 5, 4), GradCheck.param(21, 4, 3, 3, 3), GradCheck.param(22, 4));
    }

    @Test
    void oneJointConvolutionThenGluEqualsTwoConvolutions() {
        int[] s = {2, 1}, p = {1, 0}, d = {1, 2};
        Tensor x = GradCheck.param(30, 2, 3, 6, 7).detach();
        Tensor wa = GradCheck.param(31, 2, 3, 3, 2).detach(), wb = GradCheck.param(32, 2, 3, 3, 2).detach();
        Tensor ba = GradCheck.param(33, 2).detach(), bb = GradCheck.param(34, 2).detach();
        Tensor two = Convolution.conv2d(x, wa, ba, s, p, d, 1).mul(Convolution.conv2d(x, wb, bb, s, p, d, 1).sigmoid());
        Tensor joint = ChannelOps.glu(Convolution.conv2d(x, Tensor.concat(0, wa, wb), Tensor.concat(0, ba, bb), s, p, d, 1), 1);
        assertArrayEquals(two.shape(), joint.shape());
        assertArrayEquals(two.toDoubleArray(), joint.toDoubleArray(), 1e-13);
    }
}
