namespace KafkaFast.Native;

/// <summary>Names of the native libraries KafkaFast binds to.</summary>
internal static class Libraries
{
    /// <summary>librdkafka from the librdkafka.redist package; resolved by <see cref="NativeLibraryResolver"/>.</summary>
    internal const string RdKafka = "librdkafka";

    /// <summary>The C library, for eventfd and poll (worker wake-ups).</summary>
    internal const string LibC = "libc";
}
