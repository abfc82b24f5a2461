package dev.fovea.spark;

import dev.fovea.io.Architecture;
import dev.fovea.io.Json;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Distributed batch prediction: a DataFrame of images in, the same rows out with the predicted class and the top-k
 * classes and their softmax probabilities, ready to be written to Parquet.
 *
 * <p>The model (architecture, weights, and the metadata it was saved with) is broadcast once per call; each
 * executor thread builds it once and reuses it for every row of every partition it runs. Rows are classified in
 * batches, in evaluation mode, without recording a graph.
 *
 * <p>The image column holds either {@code array<float>}: a C x H x W image already normalised as the model was
 * trained (what {@link #images} makes), or {@code binary}: C x H x W raw pixel bytes, normalised here with the
 * model file's {@code mean} and {@code std} (a number, or one per channel), as the command-line tools do.
 */
public final class BatchPredictor {
    private BatchPredictor() {}

    /** The columns added: the top class, its name (when the model knows class names), the top k and their probabilities. */
    public static final String PREDICTION = "prediction", CLASS = "class", TOP_CLASSES = "top_classes", TOP_PROBABILITIES = "top_probabilities";

    /** What travels to the executors, once. */
    record Model(String architecture, float[] parameters, float[] buffers, int[] inputShape, ArrayList<String> classes,
                 double[] mean, double[] std) implements Serializable {}

    /** Predicts with the model saved at {@code modelFile} (read on the driver). */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> images, String column, Path modelFile, int topK, int batchSize) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(modelFile);
        return predict(spark, images, column, loaded.model(), loaded.metadata(), topK, batchSize);
    }

    /**
     * Predicts with {@code model}; {@code metadata} is a model file's (its "inputShape", "classes", "mean" and "std"
     * are used when present; the input shape is required).
     */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> images, String column, Module model, Map<String, Object> metadata,
                                       int topK, int batchSize) {
        if (topK < 1) throw new IllegalArgumentException("top-k needs k >= 1, got " + topK);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        StructType in = images.schema();
        int imageAt;
        try {
            imageAt = in.fieldIndex(column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the DataFrame has no column '" + column + "'; its columns: " + String.join(", ", in.fieldNames()));
        }
        DataType type = in.fields()[imageAt].dataType();
        boolean raw = type.equals(DataTypes.BinaryType);
        if (!raw && !(type instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType))) {
            throw new IllegalArgumentException("column '" + column + "' is " + type.simpleString() + "; expected array<float> (normalised C x H x W) or binary (raw C x H x W bytes)");
        }
        Model m = describe(model, metadata, raw);
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < in.fields().length; i++) if (i != imageAt) fields.add(in.fields()[i]);
        fields.add(DataTypes.createStructField(PREDICTION, DataTypes.IntegerType, false));
        if (m.classes() != null) fields.add(DataTypes.createStructField(CLASS, DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(TOP_CLASSES, DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        fields.add(DataTypes.createStructField(TOP_PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), false));
        StructType out = DataTypes.createStructType(fields);

        Broadcast<Model> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(m);
        int k = topK, batch = batchSize, at = imageAt;
        JavaRDD<Row> rows = images.toJavaRDD().mapPartitions(it -> predictPartition(it, b.value(), at, raw, k, batch));
        return spark.createDataFrame(rows, out);
    }

    private static Model describe(Module model, Map<String, Object> metadata, boolean raw) {
        if (!(metadata.get("inputShape") instanceof List<?> s) || s.size() != 3) {
            throw new IllegalArgumentException("the model's metadata lacks its input shape (\"inputShape\": [C, H, W])");
        }
        int[] shape = new int[3];
        for (int i = 0; i < 3; i++) shape[i] = ((Number) s.get(i)).intValue();
        ArrayList<String> classes = null;
        if (metadata.get("classes") instanceof List<?> c) {
            classes = new ArrayList<>();
            for (Object o : c) classes.add(String.valueOf(o));
        }
        double[] mean = perChannel(metadata.get("mean"), shape[0], 0), std = perChannel(metadata.get("std"), shape[0], 1);
        if (raw && (metadata.get("mean") == null || metadata.get("std") == null)) {
            throw new IllegalArgumentException("raw pixel bytes need the model's normalisation, and its metadata has no \"mean\" and \"std\"");
        }
        return new Model(Json.write(Architecture.describe(model)), Flat.of(model.parameters()), Flat.of(model.namedBuffers().values()),
                shape, classes, mean, std);
    }

    private static double[] perChannel(Object v, int channels, double fallback) {
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = v instanceof Number n ? n.doubleValue() : v instanceof List<?> l && l.size() == channels ? ((Number) l.get(c)).doubleValue() : fallback;
        }
        return out;
    }

    private static Iterator<Row> predictPartition(Iterator<Row> rows, Model m, int imageAt, boolean raw, int topK, int batchSize) {
        List<Row> out = new ArrayList<>();
        if (!rows.hasNext()) return out.iterator();
        Module model = ModelPool.borrow(m.architecture());
        try {
            Flat.load(model.parameters(), m.parameters());
            Flat.load(model.namedBuffers().values(), m.buffers());
            int[] shape = m.inputShape();
            int per = shape[0] * shape[1] * shape[2];
            List<Row> pending = new ArrayList<>(batchSize);
            while (rows.hasNext()) {
                pending.add(rows.next());
                if (pending.size() == batchSize || !rows.hasNext()) {
                    float[] x = new float[pending.size() * per];
                    for (int i = 0; i < pending.size(); i++) image(pending.get(i), imageAt, raw, m, x, i * per);
                    Tensor logits = model.predict(Tensor.of(x, pending.size(), shape[0], shape[1], shape[2]));
                    float[] scores = logits.contiguous().toFloatArray();
                    int classes = logits.size(1);
                    for (int i = 0; i < pending.size(); i++) out.add(result(pending.get(i), imageAt, scores, i * classes, classes, topK, m.classes()));
                    pending.clear();
                }
            }
        } finally {
            ModelPool.giveBack(m.architecture(), model);
        }
        return out.iterator();
    }

    private static void image(Row row, int at, boolean raw, Model m, float[] dst, int offset) {
        int[] s = m.inputShape();
        int plane = s[1] * s[2], per = s[0] * plane;
        if (row.isNullAt(at)) throw new IllegalArgumentException("row " + row + ": the image is null");
        if (raw) {
            byte[] b = (byte[]) row.get(at);
            if (b.length != per) throw new IllegalArgumentException("an image has " + b.length + " bytes; the model takes " + s[0] + "x" + s[1] + "x" + s[2] + " = " + per);
            for (int c = 0; c < s[0]; c++) {
                double mean = m.mean()[c], std = m.std()[c];
                for (int i = 0; i < plane; i++) dst[offset + c * plane + i] = (float) (((b[c * plane + i] & 0xFF) / 255.0 - mean) / std);
            }
        } else {
            List<Object> v = row.getList(at);
            if (v.size() != per) throw new IllegalArgumentException("an image has " + v.size() + " values; the model takes " + s[0] + "x" + s[1] + "x" + s[2] + " = " + per);
            for (int i = 0; i < per; i++) dst[offset + i] = (Float) v.get(i);
        }
    }

    /** The row without its image, plus the prediction and the top k classes with their softmax probabilities. */
    private static Row result(Row row, int imageAt, float[] scores, int from, int classes, int topK, List<String> names) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) max = Math.max(max, scores[from + j]);
        double[] p = new double[classes];
        double sum = 0;
        for (int j = 0; j < classes; j++) sum += p[j] = Math.exp(scores[from + j] - max);
        int k = Math.min(topK, classes);
        int[] top = new int[k];
        boolean[] taken = new boolean[classes];
        for (int r = 0; r < k; r++) {
            int best = -1;
            // Ties go to the lower class index, as argmax does.
            for (int j = 0; j < classes; j++) if (!taken[j] && (best < 0 || scores[from + j] > scores[from + best])) best = j;
            taken[best] = true;
            top[r] = best;
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) if (i != imageAt) values.add(row.get(i));
        values.add(top[0]);
        if (names != null) values.add(top[0] < names.size() ? names.get(top[0]) : String.valueOf(top[0]));
        Integer[] tc = new Integer[k];
        Float[] tp = new Float[k];
        for (int r = 0; r < k; r++) {
            tc[r] = top[r];
            tp[r] = (float) (p[top[r]] / sum);
        }
        values.add(tc);
        values.add(tp);
        return RowFactory.create(values.toArray());
    }

    /**
     * A distributed dataset as a DataFrame of {@code index} (in the whole split), {@code label} and {@code image}
     * (array<float>, normalised C x H x W), built on the executors from their shards.
     */
    public static Dataset<Row> images(SparkSession spark, DistributedDataset data) {
        JavaRDD<Row> rows = data.shards().flatMap(shard -> {
            List<Row> out = new ArrayList<>(shard.size());
            int per = shard.sampleSize();
            float[] x = new float[per];
            for (int i = 0; i < shard.size(); i++) {
                shard.sample(i, x, 0);
                Float[] boxed = new Float[per];
                for (int j = 0; j < per; j++) boxed[j] = x[j];
                out.add(RowFactory.create(shard.start() + i, shard.label(i), boxed));
            }
            return out.iterator();
        });
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("index", DataTypes.IntegerType, false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false),
                DataTypes.createStructField("image", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
        return spark.createDataFrame(rows, schema);
    }
}
