using System.Collections;
using System.Numerics;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace SkipRnn.Converter.Import;

/// <summary>
/// The pieces of torch.save's data.pkl that Razorvine.Pickle cannot build by itself. Unpickling
/// only records what the pickle says (storage references, tensor views, dicts); the bytes are
/// fetched afterwards by <see cref="TorchZipReader"/>. Nothing here runs code from the file:
/// unknown classes become inert <see cref="ClassDict"/> objects.
/// </summary>
internal static class TorchPickle
{
    private static readonly object RegistrationLock = new();
    private static bool _registered;

    /// <summary>A storage named by a persistent id: ('storage', torch.FloatStorage, key, location, numel).</summary>
    internal sealed record StorageRef(string Key, string TypeName, TensorDType? DType, long Numel);

    /// <summary>A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage.</summary>
    internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    /// <summary>
    /// collections.OrderedDict. Razorvine fills dicts through <see cref="Hashtable"/>, which has no order,
    /// so this records the insertion order (the state_dict's order) alongside.
    /// </summary>
    internal sealed class OrderedDict : Hashtable
    {
        private readonly List<object> _inserted = [];

        public override object? this[object key]
        {
            get => base[key];
            set
            {
                if (!ContainsKey(key)) _inserted.Add(key);
                base[key] = value;
            }
        }

        /// <summary>
        /// The keys in the order the file lists them. Binary pickles (protocol 1 and up) add dict items
        /// in SETITEMS batches of at most 1000 (CPython's _BATCHSIZE), and Razorvine inserts each batch
        /// backwards, so each run of 1000 is reversed back. Text pickles (protocol 0) use SETITEM per item.
        /// </summary>
        public IEnumerable<object> KeysInFileOrder(bool binaryPickle)
        {
            if (!binaryPickle) return _inserted;
            return _inserted.Chunk(1000).SelectMany(batch => batch.Reverse());
        }

        /// <summary>BUILD: the state_dict's <c>_metadata</c> attribute, which the importer does not need.</summary>
        public void __setstate__(Hashtable state)
        {
        }
    }

    /// <summary>Razorvine's constructor table is global; our entries are stateless and added once.</summary>
    public static void EnsureRegistered()
    {
        lock (RegistrationLock)
        {
            if (_registered) return;
            Unpickler.registerConstructor("collections", "OrderedDict", new Constructor(_ => new OrderedDict()));
            Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", new Constructor(RebuildTensor));
            // torch.save of nn.Parameter objects (e.g. a dict(model.named_parameters())) wraps the tensor once more.
            Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", new Constructor(RebuildParameter));
            // Razorvine builds bytearray(n) / bytes(n) / codecs.encode(...) as real byte arrays: bytearray(2**31 - 1)
            // would allocate 2 GiB from a few bytes of pickle. A state_dict needs none of them: keep them inert.
            foreach (var (module, name) in new[]
                     {
                         ("builtins", "bytearray"), ("__builtin__", "bytearray"), ("__builtin__", "bytes"), ("builtins", "bytes"),
                         ("_codecs", "encode"),
                     })
                Unpickler.registerConstructor(module, name, new Constructor(_ => new InertValue($"{module}.{name}")));
            _registered = true;
        }
    }

    /// <summary>A Python value the importer never needs, kept as its class name only.</summary>
    internal sealed record InertValue(string ClassName);

    private sealed class Constructor(Func<object[], object> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args);
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static object RebuildTensor(object[] args)
    {
        if (args.Length < 4 || args[0] is not StorageRef storage)
            throw new PickleException($"_rebuild_tensor_v2 got {args.Length} arguments without a storage first");
        long[] size = ToLongs(args[2], "size"), stride = ToLongs(args[3], "stride");
        if (size.Length > ImportLimits.MaxRank || stride.Length > ImportLimits.MaxRank)
            throw new PickleException($"a tensor has {Math.Max(size.Length, stride.Length)} dimensions, more than {ImportLimits.MaxRank}");
        return new TensorRef(storage, ToLong(args[1], "storage_offset"), size, stride);
    }

    /// <summary>_rebuild_parameter(data, requires_grad, backward_hooks).</summary>
    private static object RebuildParameter(object[] args) =>
        args.Length >= 1 && args[0] is TensorRef t ? t : throw new PickleException("_rebuild_parameter without a tensor");

    internal static long ToLong(object? value, string what) => value switch
    {
        int i => i,
        long l => l,
        BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
        _ => throw new PickleException($"{what} is {value ?? "None"}, not an integer"),
    };

    private static long[] ToLongs(object? value, string what) => value switch
    {
        object[] { Length: > ImportLimits.MaxRank } or ArrayList { Count: > ImportLimits.MaxRank } =>
            throw new PickleException($"{what} has more than {ImportLimits.MaxRank} entries"),
        object[] tuple => tuple.Select(v => ToLong(v, what)).ToArray(),
        ArrayList list => list.Cast<object>().Select(v => ToLong(v, what)).ToArray(),
        _ => throw new PickleException($"{what} is not a tuple"),
    };

    /// <summary>The unpickler for one data.pkl: resolves persistent ids to <see cref="StorageRef"/>s.</summary>
    internal sealed class TorchUnpickler : Unpickler
    {
        private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);

        public IReadOnlyCollection<StorageRef> Storages => _storages.Values;

        protected override object persistentLoad(object pid)
        {
            if (pid is not object[] { Length: 5 } id || id[0] as string != "storage")
                throw new PickleException($"unknown persistent id {Describe(pid)}; expected ('storage', type, key, location, numel)");
            string typeName = id[1] switch
            {
                ClassDictConstructor c => $"{c.module}.{c.name}",
                _ => id[1]?.ToString() ?? "None",
            };
            string key = id[2] as string ?? throw new PickleException("storage key is not a string");
            long numel = ToLong(id[4], "storage numel");
            var storage = new StorageRef(key, typeName, StorageDType(typeName), numel);
            // The same key always names the same storage; views share it.
            if (_storages.TryGetValue(key, out var known))
            {
                if (known != storage)
                    throw new PickleException(DisplayText.Escape($"storage '{key}' is referenced as both {known.TypeName} and {typeName}"));
                return known;
            }
            _storages.Add(key, storage);
            return storage;
        }

        private static string Describe(object? pid) =>
            DisplayText.Escape(pid is object[] a ? $"({string.Join(", ", a.Take(6))}{(a.Length > 6 ? ", ..." : "")})" : pid?.ToString() ?? "None");
    }

    private static TensorDType? StorageDType(string typeName) => typeName switch
    {
        "torch.FloatStorage" => TensorDType.F32,
        "torch.DoubleStorage" => TensorDType.F64,
        "torch.HalfStorage" => TensorDType.F16,
        "torch.BFloat16Storage" => TensorDType.BF16,
        _ => null,
    };
}
