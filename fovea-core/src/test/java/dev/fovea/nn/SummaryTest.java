package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LeNet-like summary worked through in the course notes. */
class SummaryTest {

    private static Sequential lenet() {
        Rng.manualSeed(1);
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(400, 120), new ReLU(),
                new Linear(120, 84), new ReLU(),
                new Linear(84, 10));
    }

    @Test
    void lenetRowsAndTotals() {
        Sequential net = lenet();
        assertEquals(61_706, net.parameterCount());
        // Worked by hand: 6*25+6, 16*6*25+16, 400*120+120, 120*84+84, 84*10+10.
        assertEquals(156 + 2_416 + 48_120 + 10_164 + 850, 61_706);

        Summary s = net.summary(1, 28, 28);
        List<Summary.Row> rows = s.rows();
        assertEquals(12, rows.size());
        int[][] shapes = {
                {1, 6, 28, 28}, {1, 6, 28, 28}, {1, 6, 14, 14},
                {1, 16, 10, 10}, {1, 16, 10, 10}, {1, 16, 5, 5},
                {1, 400},
                {1, 120}, {1, 120}, {1, 84}, {1, 84}, {1, 10}};
        String[] types = {"Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"};
        long[] params = {156, 0, 0, 2_416, 0, 0, 0, 48_120, 0, 10_164, 0, 850};
        long[] macs = {
                6L * 28 * 28 * 25,        // 117,600
                0, 0,
                16L * 10 * 10 * 6 * 25,   // 240,000
                0, 0, 0,
                400L * 120, 0, 120L * 84, 0, 84L * 10};
        assertEquals(117_600, macs[0]);
        for (int i = 0; i < rows.size(); i++) {
            Summary.Row r = rows.get(i);
            assertEquals(Integer.toString(i), r.path());
            assertEquals(types[i], r.type(), "row " + i);
            assertArrayEquals(shapes[i], r.outputShape(), "row " + i);
            assertEquals(params[i], r.parameters(), "row " + i);
            assertEquals(macs[i], r.multiplyAdds(), "row " + i);
        }
        long rowParams = 0, rowMacs = 0;
        for (Summary.Row r : rows) {
            rowParams += r.parameters();
            rowMacs += r.multiplyAdds();
        }
        assertEquals(61_706, s.totalParameters());
        assertEquals(rowParams, s.totalParameters());
        assertEquals(61_706, s.trainableParameters());
        assertEquals(rowMacs, s.totalMultiplyAdds());
        assertEquals(117_600 + 240_000 + 48_000 + 10_080 + 840, s.totalMultiplyAdds());

        // Making a summary leaves the model in training mode with untouched weights.
        assertTrue(net.isTraining());
    }

    private static String digits(String line) {
        return line.replaceAll("[^0-9]", "");
    }

    @Test
    void lenetTable() {
        String text = lenet().summary(1, 28, 28).toString();
        String[] lines = text.split("\n");
        // Every layer has a line with its path and type.
        String[] types = {"Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"};
        for (int i = 0; i < types.length; i++) {
            String prefix = i + " ";
            boolean found = false;
            for (String l : lines) found |= l.startsWith(prefix) && l.contains(types[i]);
            assertTrue(found, "no line for layer " + i + " in\n" + text);
        }
        String conv1 = null, total = null, macs = null;
        for (String l : lines) {
            if (l.startsWith("0 ")) conv1 = l;
            if (l.startsWith("Total params")) total = l;
            if (l.startsWith("Mult-adds")) macs = l;
        }
        assertTrue(conv1 != null && conv1.contains("[1, 6, 28, 28]"), text);
        assertTrue(digits(conv1).endsWith("156117600"), conv1);
        assertTrue(total != null, "no totals line in\n" + text);
        assertEquals("61706", digits(total));
        assertTrue(macs != null && digits(macs).startsWith("416520"), text);
        assertTrue(text.startsWith("Input shape: [1, 28, 28]"), text);
    }
}
