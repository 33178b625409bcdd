using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests.Hostile;

/// <summary>
/// Issue 9's concrete hostile inputs, each refused with an <see cref="ImportException"/> naming the file and the
/// problem, quickly and without the allocation the naive reader made.
/// </summary>
public class HostileImportTests
{
    private const string Source = "model.pt";

    private static ImportException Fails(byte[] file, string source = Source) =>
        Assert.Throws<ImportException>(() => TensorFile.Parse(file, source));

    /// <summary>Bytes allocated by this thread while <paramref name="action"/> runs.</summary>
    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_list_that_contains_itself_is_refused_at_once()
    {
        Assert.Equal(10, HostileFiles.SelfReferencingList.Length);
        var e = Fails(HostileFiles.TorchZip(HostileFiles.SelfReferencingList));
        Assert.Equal("archive/data.pkl", e.Item);
        Assert.Contains("contains itself", e.Problem);
    }

    [Fact]
    public void A_dict_that_contains_itself_is_refused() =>
        Assert.Contains("contains itself", Fails(HostileFiles.TorchZip(HostileFiles.SelfContainingDict)).Problem);

    [Fact]
    public void A_shared_structure_is_refused_by_the_node_budget_not_after_2_to_the_25_visits()
    {
        var e = Fails(HostileFiles.TorchZip(HostileFiles.SharedDag(25)));
        Assert.Contains($"more than {ImportLimits.MaxPickleNodes:N0} values", e.Problem);
    }

    [Fact]
    public void Nesting_past_the_depth_limit_is_an_error_not_silently_skipped() =>
        Assert.Contains($"more than {ImportLimits.MaxPickleDepth} deep", Fails(HostileFiles.TorchZip(HostileFiles.SharedDag(40))).Problem);

    [Fact]
    public void A_ten_million_digit_pickle_integer_is_refused_before_parsing()
    {
        var file = HostileFiles.TorchZip(HostileFiles.HugeTextInteger(10_000_000));
        var e = Fails(file);
        Assert.Contains("integer of 10,000,001 characters", e.Problem);
    }

    [Fact]
    public void A_long4_integer_of_many_bytes_is_refused()
    {
        byte[] pickle = [0x80, 2, 0x8b, .. HostileFiles.Int32(100_000), .. new byte[100_000], (byte)'.'];
        Assert.Contains("integer of 100,000 bytes", Fails(HostileFiles.TorchZip(pickle)).Problem);
    }

    [Fact]
    public void A_memo_past_its_budget_is_refused()
    {
        var pickle = new List<byte> { 0x80, 2, (byte)'N' };
        for (long i = 0; i <= ImportLimits.MaxPickleMemo; i++) pickle.AddRange([(byte)'q', 0]);
        pickle.Add((byte)'.');
        Assert.Contains("memo entries", Fails(HostileFiles.TorchZip(pickle.ToArray())).Problem);
    }

    [Fact]
    public void A_truncated_length_prefix_is_refused_by_the_scan()
    {
        byte[] pickle = [0x80, 2, (byte)'X', 0xff, 0xff, 0xff, 0x7f, (byte)'a', (byte)'.'];
        Assert.Contains("truncated", Fails(HostileFiles.TorchZip(pickle)).Problem);
    }

    [Fact]
    public void Bytearray_of_two_gigabytes_allocates_nothing()
    {
        // bytearray(2**31 - 1) as the whole pickle: Razorvine would build a 2 GiB array.
        byte[] pickle = [0x80, 2, .. "c__builtin__\nbytearray\n"u8, (byte)'J', 0xff, 0xff, 0xff, 0x7f, 0x85, (byte)'R', (byte)'.'];
        ImportException? e = null;
        long bytes = Allocated(() => e = Fails(HostileFiles.TorchZip(pickle)));
        Assert.Contains("not a state_dict", e!.Problem);
        Assert.True(bytes < 16 << 20, $"{bytes} bytes allocated");
    }

    [Fact]
    public void Zero_stride_views_are_refused_by_the_total_before_any_gathering()
    {
        byte[] file = HostileFiles.ZeroStrideViews(200);
        Assert.True(file.Length < 40_000);
        ImportException? e = null;
        long bytes = Allocated(() => e = Fails(file));
        Assert.Contains("in total", e!.Problem);
        Assert.True(bytes < 16 << 20, $"{bytes} bytes allocated");   // each view alone would be 256 MiB of doubles
    }

    [Fact]
    public void A_deflate_bomb_is_refused_before_it_is_inflated()
    {
        byte[] file = HostileFiles.DeflateBomb(ImportLimits.MaxTotalElements + 1);
        Assert.True(file.Length < 200_000, $"{file.Length} bytes");
        ImportException? e = null;
        long bytes = Allocated(() => e = Fails(file));
        Assert.Contains($"claims {ImportLimits.MaxTotalElements + 1} elements", e!.Problem);
        Assert.True(bytes < 16 << 20, $"{bytes} bytes allocated");   // inflating alone would be 64 MiB
    }

    [Fact]
    public void Strides_whose_arithmetic_wraps_int64_are_refused()
    {
        var e = Fails(HostileFiles.WrappingStrides());
        Assert.Equal("tensor 'w'", e.Item);
        Assert.Contains("reaches element 13835058055282163712 of a storage of 16", e.Problem);
    }

    [Fact]
    public void A_stride_of_a_size_one_dimension_is_never_used()
    {
        // [2, 1] with a huge stride on the size-1 dimension: legal in PyTorch (the stride is never stepped along).
        var file = HostileFiles.TorchZip(
            HostileFiles.StateDict(new HostileFiles.View("w", "0", 2, 0, [2, 1], [1, long.MaxValue])),
            new Dictionary<string, byte[]> { ["0"] = Encode.Values([1.5, -2.0], TensorDType.F32) });
        var set = TensorFile.Parse(file, Source);
        Assert.Equal([1.5, -2.0], set[0].Data);
    }

    [Fact]
    public void A_layer_number_beyond_int_is_refused_naming_the_tensor()
    {
        var file = new SafetensorsBuilder()
            .Add("weight_ih_l99999999999", TensorDType.F32, [3, 1], 1, 2, 3)
            .Add("weight_hh_l99999999999", TensorDType.F32, [3, 1], 1, 2, 3)
            .Build();
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(TensorFile.Parse(file, "m.safetensors")));
        Assert.Equal("tensor 'weight_ih_l99999999999'", e.Item);
        Assert.Contains("layer number 99999999999", e.Problem);
    }

    [Theory]
    [InlineData("weight_ih_l\u0663", "weight_hh_l\u0663")]        // Arabic-Indic three
    [InlineData("cells.\u0967.weight_ih", "cells.\u0967.weight_hh")]  // Devanagari one
    public void Non_ascii_digits_are_not_layer_numbers(string ih, string hh)
    {
        var file = new SafetensorsBuilder()
            .Add(ih, TensorDType.F32, [3, 1], 1, 2, 3)
            .Add(hh, TensorDType.F32, [3, 1], 1, 2, 3)
            .Build();
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(TensorFile.Parse(file, "m.safetensors")));
        Assert.Contains("cannot map the tensors", e.Problem);
    }

    [Fact]
    public void Escape_sequences_in_tensor_names_are_shown_escaped()
    {
        string name = System.Text.Json.JsonSerializer.Serialize("\u001b[31mred\nfake line\u202e");
        var file = new SafetensorsBuilder().Add("x", TensorDType.F32, [1], 1)
            .Build($"{{{name}:{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}}}");
        var set = TensorFile.Parse(file, "m.safetensors");
        Assert.Equal("\\x1b[31mred\\x0afake line\\u202e", set[0].Name);
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(set));
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\u202e', e.Message);
    }

    [Theory]
    [InlineData("model.pt")]
    [InlineData("model.npz")]
    public void A_zero_byte_file_is_called_empty(string name)
    {
        string dir = Directory.CreateTempSubdirectory("skiprnn-empty-").FullName;
        try
        {
            string path = Path.Combine(dir, name);
            File.WriteAllBytes(path, []);
            var e = Assert.Throws<ImportException>(() => TensorFile.Read(path));
            Assert.Equal("the file is empty (0 bytes).", e.Problem);
            var folder = Assert.Throws<ImportException>(() => TensorFile.Read(dir));
            Assert.Equal("this is a folder, not a file.", folder.Problem);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_hidden_size_the_device_cannot_run_is_refused_by_the_import()
    {
        const int h = 1025;
        var file = new SafetensorsBuilder()
            .Add("gru.weight_ih_l0", TensorDType.F32, [3 * h, 1], new double[3 * h])
            .Add("gru.weight_hh_l0", TensorDType.F32, [3 * h, h], new double[3 * h * h])
            .Add("skip_gate.weight", TensorDType.F32, [1, h], new double[h])
            .Add("skip_gate.bias", TensorDType.F32, [1], 0)
            .Build();
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(TensorFile.Parse(file, "big.safetensors")));
        Assert.Equal("the model's hidden size is 1025; the device runs at most 1024.", e.Problem);
    }

    [Fact]
    public void A_zip_directory_claiming_more_than_the_limit_is_refused_before_it_is_read()
    {
        byte[] npz = NpzBuilder.Npz([("w", NpzBuilder.Npy(TensorDType.F32, [2], [1.0, 2.0]))]);
        int eocd = npz.Length - 22;   // no comment
        Assert.Equal(0x06054b50u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(npz.AsSpan(eocd)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(npz.AsSpan(eocd + 12), (uint)ImportLimits.MaxZipDirectoryBytes + 1);
        var e = Fails(npz, "w.npz");
        Assert.Contains("the zip directory claims 1 entries in 16777217 bytes", e.Problem);
    }
}
