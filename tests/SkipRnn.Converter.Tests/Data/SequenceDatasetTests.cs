using System.Text;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Data;

public class SequenceDatasetTests
{
    private const string Source = "data.npz";

    // 2 sequences × 3 steps × 2 channels.
    private static readonly double[] X = DatasetNpz.Ramp(12);

    private static DataException Fails(byte[] npz) => Assert.Throws<DataException>(() => SequenceDataset.Parse(npz, Source));

    [Theory]
    [InlineData(TensorDType.F16, "<i8")]
    [InlineData(TensorDType.F32, "<i4")]
    [InlineData(TensorDType.F64, "<i2")]
    [InlineData(TensorDType.F32, "|i1")]
    [InlineData(TensorDType.F32, "|u1")]
    [InlineData(TensorDType.F32, "<u2")]
    [InlineData(TensorDType.F32, "<u4")]
    [InlineData(TensorDType.F32, "<u8")]
    [InlineData(TensorDType.F32, ">i8")]
    [InlineData(TensorDType.F32, ">u2")]
    public void ReadsFloatInputsAndIntegerLabelsOfEveryWidth(TensorDType xType, string labelDescr)
    {
        var data = SequenceDataset.Parse(DatasetNpz.Classification(X, 2, 3, 2, [3, 1], xType, labelDescr), Source);

        Assert.Equal((Source, 2, 3, 2, ModelTask.Classification), (data.Path, data.Count, data.Steps, data.Inputs, data.Task));
        Assert.Equal(0, data.TargetWidth);
        Assert.Equal(X[..6], data.Sequence(0));   // flattened [T × I], row = step
        Assert.Equal(X[6..], data.Sequence(1));
        Assert.Equal([3, 1], new[] { data.Label(0), data.Label(1) });
    }

    [Fact]
    public void ReadsRegressionTargetsOfWidthOneAndMore()
    {
        var flat = SequenceDataset.Parse(DatasetNpz.Regression(X, 2, 3, 2, [0.5, -1.25], 1, flatY: true), Source);
        Assert.Equal(ModelTask.Regression, flat.Task);
        Assert.Equal(1, flat.TargetWidth);
        Assert.Equal([-1.25], flat.Target(1));

        var wide = SequenceDataset.Parse(DatasetNpz.Regression(X, 2, 3, 2, [1, 2, 3, 4, 5, 6], 3), Source);
        Assert.Equal(3, wide.TargetWidth);
        Assert.Equal([4.0, 5, 6], wide.Target(1));
    }

    [Fact]
    public void IgnoresOtherArraysEvenOnesItCouldNotRead()
    {
        // The recipe may add class_names, a string array that the .npy reader refuses: it must not be parsed.
        var names = NpzBuilder.NpyRaw("{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }", new byte[40]);
        var npz = NpzBuilder.Npz([
            ("class_names", names),
            ("x", DatasetNpz.FloatNpy([2, 3, 2], X)),
            ("y", DatasetNpz.IntNpy("<i8", [2], [0, 1])),
        ], compressed: true);
        Assert.Equal(2, SequenceDataset.Parse(npz, Source).Count);
    }

    [Fact]
    public void ReadsFromDiskAndNamesTheFileInErrors()
    {
        string dir = Directory.CreateTempSubdirectory("skiprnn-data-").FullName;
        try
        {
            string path = Path.Combine(dir, "test.npz");
            File.WriteAllBytes(path, DatasetNpz.Classification(X, 2, 3, 2, [0, 1]));
            Assert.Equal(path, SequenceDataset.Read(path).Path);

            string missing = Path.Combine(dir, "nope.npz");
            var e = Assert.Throws<DataException>(() => SequenceDataset.Read(missing));
            Assert.Equal(missing, e.File);
            Assert.Contains("does not exist", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("y")]
    public void MissingArraysAreNamedWithWhatTheFileHolds(string missing)
    {
        var arrays = new List<(string, byte[])> { ("inputs", DatasetNpz.FloatNpy([2], [1, 2])) };
        if (missing != "x") arrays.Add(("x", DatasetNpz.FloatNpy([2, 3, 2], X)));
        if (missing != "y") arrays.Add(("y", DatasetNpz.IntNpy("<i8", [2], [0, 1])));
        var e = Fails(NpzBuilder.Npz(arrays));
        Assert.Equal(Source, e.File);
        Assert.Equal($"array '{missing}'", e.Item);
        Assert.Contains("is missing", e.Message);
        Assert.Contains("inputs", e.Message);
    }

    [Fact]
    public void RefusesDuplicateArrays()
    {
        var npz = NpzBuilder.Npz([
            ("x", DatasetNpz.FloatNpy([2, 3, 2], X)), ("x", DatasetNpz.FloatNpy([2, 3, 2], X)),
            ("y", DatasetNpz.IntNpy("<i8", [2], [0, 1])),
        ]);
        Assert.Contains("more than once", Fails(npz).Message);
    }

    [Fact]
    public void RefusesFilesThatAreNotNpz()
    {
        Assert.Contains("single .npy", Fails(DatasetNpz.FloatNpy([2, 3, 2], X)).Message);
        Assert.Contains("not an .npz", Fails(Encoding.ASCII.GetBytes("x,y\n1,2\n")).Message);
        var npz = DatasetNpz.Classification(X, 2, 3, 2, [0, 1]);
        Assert.Contains("corrupt or truncated", Fails(npz[..(npz.Length / 2)]).Message);
    }

    [Theory]
    [InlineData(new[] { 6, 2 }, "[N, T, I]")]
    [InlineData(new[] { 1, 2, 3, 2 }, "[N, T, I]")]
    public void RefusesInputsOfTheWrongRank(int[] shape, string expected)
    {
        var npz = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy(shape, DatasetNpz.Ramp(shape.Aggregate(1, (a, b) => a * b)))),
            ("y", DatasetNpz.IntNpy("<i8", [2], [0, 1]))]);
        var e = Fails(npz);
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefusesTargetsOfTheWrongRank()
    {
        var labels2d = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([2, 3, 2], X)), ("y", DatasetNpz.IntNpy("<i8", [2, 1], [0, 1]))]);
        var e = Fails(labels2d);
        Assert.Equal("array 'y'", e.Item);
        Assert.Contains("labels must be [N]", e.Message);

        var targets3d = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([2, 3, 2], X)), ("y", DatasetNpz.FloatNpy([2, 1, 1], [0, 1]))]);
        Assert.Contains("[N] or [N, O]", Fails(targets3d).Message);
    }

    [Fact]
    public void RefusesIntegerInputsAndNonNumericTargets()
    {
        var intX = NpzBuilder.Npz([("x", DatasetNpz.IntNpy("<i2", [2, 3, 2], new long[12])), ("y", DatasetNpz.IntNpy("<i8", [2], [0, 1]))]);
        var e = Fails(intX);
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains("physical input values as float", e.Message);

        var boolY = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([2, 3, 2], X)),
            ("y", NpzBuilder.NpyRaw("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", [0, 1]))]);
        e = Fails(boolY);
        Assert.Equal("array 'y'", e.Item);
        Assert.Contains("'|b1' (boolean)", e.Message);
    }

    [Theory]
    [InlineData(3, 2)]   // fewer labels than sequences
    [InlineData(2, 3)]   // more
    public void RefusesLabelCountsThatDifferFromTheSequenceCount(int sequences, int labels)
    {
        var npz = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([sequences, 2, 1], DatasetNpz.Ramp(sequences * 2))),
            ("y", DatasetNpz.IntNpy("<i8", [labels], new long[labels]))]);
        var e = Fails(npz);
        Assert.Equal("array 'y'", e.Item);
        Assert.Contains($"has {labels} labels but x has {sequences} sequences", e.Message);
    }

    [Fact]
    public void RefusesTargetCountsThatDifferFromTheSequenceCount()
    {
        var e = Fails(DatasetNpz.Regression(X, 2, 3, 2, [1, 2, 3], 1, flatY: true));
        Assert.Contains("has 3 targets but x has 2 sequences", e.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void NamesTheSequenceStepAndChannelOfANonFiniteInput(double bad, string shown)
    {
        var x = (double[])X.Clone();
        x[1 * 6 + 2 * 2 + 1] = bad;    // sequence 1, step 2, channel 1
        var e = Fails(DatasetNpz.Classification(x, 2, 3, 2, [0, 1]));
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains($"sequence 1, step 2, channel 1 is {shown}", e.Message);
    }

    [Fact]
    public void NamesTheSequenceAndOutputOfANonFiniteTarget()
    {
        var e = Fails(DatasetNpz.Regression(X, 2, 3, 2, [1, 2, 3, double.NaN], 2));
        Assert.Equal("array 'y'", e.Item);
        Assert.Contains("sequence 1, output 1 is NaN", e.Message);
    }

    [Theory]
    [InlineData(0, 3, 2, "no sequences")]
    [InlineData(2, 0, 2, "no steps")]
    [InlineData(2, 3, 0, "no input channels")]
    public void RefusesEmptyDimensions(int n, int t, int i, string expected)
    {
        var npz = NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([n, t, i], [])), ("y", DatasetNpz.IntNpy("<i8", [n], new long[n]))]);
        var e = Fails(npz);
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefusesAbsurdSizes()
    {
        // Too many channels (a transposed [N, I, T] file looks like this).
        var wide = Fails(NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([1, 1, SequenceDataset.MaxInputs + 1], new double[SequenceDataset.MaxInputs + 1], TensorDType.F16)),
            ("y", DatasetNpz.IntNpy("|u1", [1], [0]))]));
        Assert.Contains("input channels is more than", wide.Message);

        var longSeq = Fails(NpzBuilder.Npz([("x", DatasetNpz.FloatNpy([1, SequenceDataset.MaxSteps + 1, 1], new double[SequenceDataset.MaxSteps + 1], TensorDType.F16)),
            ("y", DatasetNpz.IntNpy("|u1", [1], [0]))]));
        Assert.Contains("steps per sequence is more than", longSeq.Message);

        var manyTargets = Fails(DatasetNpz.Regression([1.0], 1, 1, 1, new double[SequenceDataset.MaxOutputs + 1], SequenceDataset.MaxOutputs + 1));
        Assert.Equal("array 'y'", manyTargets.Item);
        Assert.Contains("more than the 1024 outputs", manyTargets.Message);

        // A header claiming 10^9 elements is refused before anything is allocated, as a DataException.
        var huge = Fails(NpzBuilder.Npz([("x", NpzBuilder.NpyRaw(NpzBuilder.HeaderDict("<f4", false, [1000, 1000, 1000]), [])),
            ("y", DatasetNpz.IntNpy("<i8", [1], [0]))]));
        Assert.Equal("array 'x'", huge.Item);
        Assert.Contains("more than 33554432 elements", huge.Message);
        Assert.IsType<ImportException>(huge.InnerException);
    }

    [Fact]
    public void RefusesNegativeHugeAndInexactLabels()
    {
        var negative = Fails(DatasetNpz.Classification(X, 2, 3, 2, [0, -1]));
        Assert.Contains("the label of sequence 1 is -1", negative.Message);

        var huge = Fails(DatasetNpz.Classification(X, 2, 3, 2, [0, 5_000_000_000]));
        Assert.Contains("the label of sequence 1 is 5000000000", huge.Message);

        // 2^53 + 1 has no double: the reader refuses it rather than reading 2^53.
        var inexact = Fails(DatasetNpz.Classification(X, 2, 3, 2, [(1L << 53) + 1, 0]));
        Assert.Equal("array 'y'", inexact.Item);
        Assert.Contains("2^53", inexact.Message);
    }

    [Fact]
    public void AccessorsCheckTheTaskAndIndex()
    {
        var classes = SequenceDataset.Parse(DatasetNpz.Classification(X, 2, 3, 2, [0, 1]), Source);
        var regression = SequenceDataset.Parse(DatasetNpz.Regression(X, 2, 3, 2, [1, 2], 1), Source);
        Assert.Throws<InvalidOperationException>(() => classes.Target(0));
        Assert.Throws<InvalidOperationException>(() => regression.Label(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => classes.Sequence(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => classes.Label(-1));
    }

    [Fact]
    public void InMemoryDatasetsCopyTheirArraysAndCheckThemToo()
    {
        var x = (double[])X.Clone();
        int[] labels = [0, 1];
        var data = SequenceDataset.ForClassification("mem", x, 2, 3, 2, labels);
        x[0] = 99;
        labels[0] = 7;
        Assert.Equal(X[0], data.Sequence(0)[0]);
        Assert.Equal(0, data.Label(0));
        data.Sequence(0)[0] = 42;   // the returned array is a copy too
        Assert.Equal(X[0], data.Sequence(0)[0]);

        Assert.Contains("needs 12", Assert.Throws<DataException>(() => SequenceDataset.ForClassification("mem", X[..11], 2, 3, 2, labels)).Message);
        Assert.Contains("targets need 4", Assert.Throws<DataException>(() => SequenceDataset.ForRegression("mem", X, 2, 3, 2, [1, 2, 3], 2)).Message);
    }

    [Fact]
    public void MaxAbsPerChannelCoversEverySequenceAndStep()
    {
        double[] x = [1, -2, 0.5, 0, -4, 1, 3, 0];   // 2 × 2 × 2
        var data = SequenceDataset.ForClassification("mem", x, 2, 2, 2, [0, 0]);
        Assert.Equal([4.0, 2.0], data.MaxAbsPerChannel());
    }

    [Fact]
    public void NeverThrowsAnythingButDataExceptionOnRandomCorruption()
    {
        var good = DatasetNpz.Classification(X, 2, 3, 2, [0, 1]);
        var random = new Random(7);
        for (int trial = 0; trial < 1000; trial++)
        {
            var file = (byte[])good.Clone();
            for (int f = random.Next(1, 4); f > 0; f--) file[random.Next(file.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) file = file[..random.Next(file.Length)];
            try
            {
                SequenceDataset.Parse(file, Source);
            }
            catch (DataException e)
            {
                Assert.StartsWith(Source + ": ", e.Message);
            }
        }
    }
}
