package dev.fovea.spark;

import dev.fovea.io.Json;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.Tensor;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link Optimizer.State} in a form Spark can ship: its info as JSON and its tensors as float arrays with their
 * shapes. Local SGD broadcasts the driver's optimizer state this way and averages the partitions' states.
 */
record OptimizerSnapshot(String type, String info, LinkedHashMap<String, float[]> tensors, LinkedHashMap<String, int[]> shapes)
        implements Serializable {

    static OptimizerSnapshot of(Optimizer.State s) {
        LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
        LinkedHashMap<String, int[]> shapes = new LinkedHashMap<>();
        for (var e : s.tensors().entrySet()) {
            tensors.put(e.getKey(), e.getValue().toFloatArray());
            shapes.put(e.getKey(), e.getValue().shape());
        }
        return new OptimizerSnapshot(s.type(), Json.write(s.info()), tensors, shapes);
    }

    @SuppressWarnings("unchecked")
    Optimizer.State toState() {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) ts.put(e.getKey(), Tensor.of(e.getValue().clone(), shapes.get(e.getKey())));
        return new Optimizer.State(type, (Map<String, Object>) Json.parse(info), ts);
    }
}
