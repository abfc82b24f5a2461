package dev.fovea.web;

import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoints' computations on a zoo model with batch norm, without HTTP and without a test set. */
class ApiTest {
    private static Api api(Module m) {
        ServedModel served = new ServedModel("resnet20", m, List.of(), new int[] {3, 32, 32}, new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25}, null);
        return new Api(served, new Replicas(m, null, 1, () -> 0), null);
    }

    private static Map<String, Object> grey() {
        List<Object> px = new ArrayList<>(Collections.nCopies(3 * 32 * 32, 0.5));
        for (int i = 0; i < 32; i++) px.set(i * 32 + i, 1.0);
        return Map.of("pixels", px);
    }

    @Test
    @SuppressWarnings("unchecked")
    void batchNormStatisticsAndADeepModelsBudget() {
        Rng.manualSeed(4);
        Module m = Zoo.create("resnet20", 3, 10);
        Api api = api(m);
        Map<String, Object> info = api.model();
        List<Map<String, Object>> layers = (List<Map<String, Object>>) info.get("layers");
        String bn = null;
        for (Map<String, Object> l : layers) if (l.get("type").equals("BatchNorm2d")) { bn = (String) l.get("path"); break; }
        assertNotNull(bn);
        Map<String, Object> body = new java.util.HashMap<>(grey());
        body.put("path", bn);
        Map<String, Object> layer = api.layer(body);
        Map<String, Object> stats = (Map<String, Object>) layer.get("batchNorm");
        assertEquals(16, ((List<?>) stats.get("runningMean")).size());
        assertEquals(1.0, ((List<?>) stats.get("runningVar")).get(0), "fresh running variance");
        assertEquals(16, ((List<?>) stats.get("weight")).size());

        Map<String, Object> ins = api.inspect(grey());
        int shown = ((Number) ins.get("channelsShown")).intValue();
        assertTrue(shown >= 8 && shown <= Api.MAX_CHANNELS, "channels per layer " + shown);
        long numbers = 0;
        for (Map<String, Object> l : (List<Map<String, Object>>) ins.get("layers")) {
            if (l.get("maps") instanceof List<?> maps) for (Object p : maps) numbers += ((List<?>) ((Map<?, ?>) p).get("data")).size();
        }
        assertTrue(numbers <= Api.NUMBERS + 64L * 48 * 48, "activation numbers sent: " + numbers);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> api.samples(4, 0));
        assertTrue(e.getMessage().contains("no test set"));
        assertThrows(IllegalArgumentException.class, () -> api.control(Map.of("action", "pause")));
    }
}
