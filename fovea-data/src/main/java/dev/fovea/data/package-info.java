/**
 * Image classification data for Fovea: IDX files (the MNIST format; EMNIST too), CIFAR-10/100 binary batches
 * ({@link dev.fovea.data.Cifar}), folders of images ({@link dev.fovea.data.ImageFolder}), seeded augmentation
 * ({@link dev.fovea.data.Transforms}, {@link dev.fovea.data.TransformedDataset}), and a loader that turns a dataset
 * into shuffled, batched tensors.
 *
 * <p>Everything that can go wrong with data on disk surfaces as one {@link dev.fovea.data.DataException} whose
 * message names the file and says what is wrong with it, so a failed run can be fixed without a debugger.
 * Every random choice comes from a seed, so two runs with the same seed see the same batches in the same order.
 */
package dev.fovea.data;
