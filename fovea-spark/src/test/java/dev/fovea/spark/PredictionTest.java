package dev.fovea.spark;

import dev.fovea.data.FashionMnist;
import dev.fovea.data.IdxFile;
import dev.fovea.data.ImageClassification;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch prediction on Spark agrees with the single-machine model, row by row, through Parquet. */
class PredictionTest {
    static final int N = 300;

    @Test
    void predictionsWrittenToParquetMatchTheSingleMachineModel(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Module model = ExactnessTest.lenet();
        Path file = dir.resolve("lenet5.fovea");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("classes", FashionMnist.CLASS_NAMES);
        meta.put("inputShape", new int[] {1, 28, 28});
        meta.put("mean", FashionMnist.MEAN);
        meta.put("std", FashionMnist.STD);
        ModelFile.save(file, model, meta);

        DistributedDataset test = DistributedDataset.read(sc, ExactnessTest.FASHION.split(false), N, 4);
        long built = ModelPool.BUILT.get();
        Dataset<Row> predictions = BatchPredictor.predict(spark, BatchPredictor.images(spark, test), "image", file, 3, 64);
        Path out = dir.resolve("predictions.parquet");
        predictions.write().mode(SaveMode.Overwrite).parquet(out.toString());
        assertTrue(ModelPool.BUILT.get() - built <= 2, "the model was built " + (ModelPool.BUILT.get() - built)
                + " times for 4 partitions on 2 task threads; it should be once per thread at most");
        test.release();

        List<Row> rows = spark.read().parquet(out.toString()).orderBy("index").collectAsList();
        assertEquals(N, rows.size());
        ImageClassification reference = FashionMnist.test();
        float[] x = new float[784];
        int agree = 0;
        for (Row r : rows) {
            int index = r.getInt(r.fieldIndex("index"));
            reference.sample(index, x, 0);
            Tensor logits = model.predict(Tensor.of(x.clone(), 1, 1, 28, 28));
            double[] p = softmax(logits.toFloatArray());
            int pred = logits.argmax(1)[0];
            assertEquals(reference.label(index), r.getInt(r.fieldIndex("label")));
            assertEquals(pred, r.getInt(r.fieldIndex(BatchPredictor.PREDICTION)));
            assertEquals(FashionMnist.CLASS_NAMES.get(pred), r.getString(r.fieldIndex(BatchPredictor.CLASS)));
            List<Integer> top = r.getList(r.fieldIndex(BatchPredictor.TOP_CLASSES));
            List<Float> probs = r.getList(r.fieldIndex(BatchPredictor.TOP_PROBABILITIES));
            assertEquals(3, top.size());
            assertEquals(pred, top.getFirst());
            for (int j = 0; j < 3; j++) assertEquals(p[top.get(j)], probs.get(j), 1e-5);
            assertTrue(probs.get(0) >= probs.get(1) && probs.get(1) >= probs.get(2));
            agree++;
        }
        assertEquals(N, agree);
    }

    @Test
    void rawPixelBytesAreNormalisedWithTheModelsMetadata(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Module model = ExactnessTest.lenet();
        Map<String, Object> meta = Map.of("inputShape", List.of(1, 28, 28), "mean", FashionMnist.MEAN, "std", FashionMnist.STD);
        Path images = FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz");
        if (!Files.exists(images)) images = FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte");
        byte[] pixels = IdxFile.read(images).data();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) rows.add(RowFactory.create(i, java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784)));
        Dataset<Row> df = spark.createDataFrame(rows, DataTypes.createStructType(List.of(
                DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("png", DataTypes.BinaryType, false))));
        List<Row> out = BatchPredictor.predict(spark, df, "png", model, meta, 5, 16).orderBy("id").collectAsList();
        ImageClassification reference = FashionMnist.test();
        float[] x = new float[784];
        for (Row r : out) {
            reference.sample(r.getInt(0), x, 0);
            Tensor logits = model.predict(Tensor.of(x.clone(), 1, 1, 28, 28));
            assertEquals(logits.argmax(1)[0], r.getInt(r.fieldIndex(BatchPredictor.PREDICTION)));
            double[] p = softmax(logits.toFloatArray());
            List<Float> probs = r.getList(r.fieldIndex(BatchPredictor.TOP_PROBABILITIES));
            assertEquals(p[(Integer) r.getList(r.fieldIndex(BatchPredictor.TOP_CLASSES)).get(4)], probs.get(4), 1e-5);
        }
        assertEquals(40, out.size());
    }

    static double[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }
}
