using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Data;

/// <summary>A dataset checked against the model it is to score.</summary>
public class DatasetValidationTests
{
    // 3 inputs, 8 units, 4 outputs, like the fixtures.
    private static readonly FloatSkipGruModel Model = new ReferenceWeights(3, 8, 1, 4, seed: 5).Model(GruVariant.ResetAfter);

    private static SequenceDataset Classes(int inputs, params int[] labels) =>
        SequenceDataset.ForClassification("d.npz", new double[labels.Length * 2 * inputs], labels.Length, 2, inputs, labels);

    private static SequenceDataset Targets(int width) =>
        SequenceDataset.ForRegression("d.npz", new double[2 * 2 * 3], 2, 2, 3, new double[2 * width], width);

    [Fact]
    public void AcceptsAMatchingDataset()
    {
        Classes(3, 0, 3, 2).Validate(Model, ModelTask.Classification);
        Classes(3, 0, 3).Validate(Model, ModelTask.Unspecified);   // no task stated: the dataset's
        Targets(4).Validate(Model, ModelTask.Regression);
        Targets(4).Validate(Model, ModelTask.Unspecified);
    }

    [Fact]
    public void RefusesAnInputCountOtherThanTheModels()
    {
        var e = Assert.Throws<DataException>(() => Classes(2, 0, 1).Validate(Model, ModelTask.Classification));
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains("has 2 input channels per step but the model takes 3 inputs", e.Message);
    }

    [Fact]
    public void RefusesLabelsBeyondTheModelsClasses()
    {
        var e = Assert.Throws<DataException>(() => Classes(3, 0, 1, 4).Validate(Model, ModelTask.Classification));
        Assert.Equal("d.npz: array 'y': the label of sequence 2 is 4, but the model has 4 outputs (classes 0 to 3).", e.Message);
    }

    [Fact]
    public void RefusesARegressionTargetWidthOtherThanTheOutputCount()
    {
        var e = Assert.Throws<DataException>(() => Targets(1).Validate(Model, ModelTask.Regression));
        Assert.Contains("has 1 target values per sequence but the model has 4 outputs", e.Message);
    }

    [Fact]
    public void RefusesATaskThatDisagreesWithTheModel()
    {
        var labels = Assert.Throws<DataException>(() => Classes(3, 0, 1).Validate(Model, ModelTask.Regression));
        Assert.Contains("integer class labels (classification) but the model's task is regression", labels.Message);
        var targets = Assert.Throws<DataException>(() => Targets(4).Validate(Model, ModelTask.Classification));
        Assert.Contains("float targets (regression) but the model's task is classification", targets.Message);
    }

    [Fact]
    public void RefusesModelsWithoutAHeadOrWithOneClass()
    {
        var headless = new ReferenceWeights(3, 8, 1, 4, seed: 5).Model(GruVariant.ResetAfter, head: false);
        Assert.Contains("no output head", Assert.Throws<DataException>(() => Classes(3, 0).Validate(headless, ModelTask.Classification)).Message);

        var single = new ReferenceWeights(3, 8, 1, 1, seed: 5).Model(GruVariant.ResetAfter);
        Assert.Contains("at least 2", Assert.Throws<DataException>(() => Classes(3, 0).Validate(single, ModelTask.Classification)).Message);
    }
}
