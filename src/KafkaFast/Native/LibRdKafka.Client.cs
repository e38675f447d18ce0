using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>librdkafka client instances (rd_kafka_t) and error strings.</summary>
internal static unsafe partial class LibRdKafka
{
    internal const int TypeProducer = 0;
    internal const int TypeConsumer = 1;

    internal const int PurgeQueue = 0x1;
    internal const int PurgeInFlight = 0x2;
    internal const int PurgeNonBlocking = 0x4;

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_new")]
    internal static partial nint New(int type, nint conf, byte* errstr, nuint errstrSize);

    /// <summary>IntPtr: called from SafeKafkaHandle.ReleaseHandle. Blocks until librdkafka's threads end.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(nint rk);

    /// <summary>rd_kafka_destroy_flags: with <see cref="DestroyNoConsumerClose"/> a consumer is not closed first (no commit, no leave, no callbacks).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_destroy_flags")]
    internal static partial void DestroyFlags(nint rk, int flags);

    /// <summary>RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE.</summary>
    internal const int DestroyNoConsumerClose = 0x8;

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_flush")]
    internal static partial int Flush(nint rk, int timeoutMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_purge")]
    internal static partial int Purge(nint rk, int flags);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_outq_len")]
    internal static partial int OutqLen(nint rk);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_fatal_error")]
    internal static partial int FatalError(nint rk, byte* errstr, nuint errstrSize);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_err2str")]
    internal static partial byte* Err2Str(int err);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_err2name")]
    internal static partial byte* Err2Name(int err);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_version_str")]
    internal static partial byte* VersionStr();

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_name")]
    internal static partial byte* Name(nint rk);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_error_code")]
    internal static partial int ErrorCode(nint error);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_error_string")]
    internal static partial byte* ErrorString(nint error);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_error_destroy")]
    internal static partial void ErrorDestroy(nint error);

    internal static string Utf8(byte* s) => s == null ? string.Empty : Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;

    internal static string ErrorText(int err) => Utf8(Err2Str(err));

    internal static string Version => Utf8(VersionStr());

    /// <summary>Creates a client; on failure disposes the configuration and throws with librdkafka's reason.</summary>
    internal static SafeKafkaHandle NewOrThrow(int type, SafeConfigHandle conf)
    {
        byte* errstr = stackalloc byte[512];
        bool added = false;
        try
        {
            conf.DangerousAddRef(ref added);
            nint rk = New(type, conf.DangerousGetHandle(), errstr, 512);
            if (rk == 0)
            {
                throw new ArgumentException($"librdkafka refused the configuration: {Utf8(errstr)}");
            }

            conf.SetHandleAsInvalid(); // rd_kafka_new took ownership
            return new SafeKafkaHandle(rk);
        }
        finally
        {
            if (added)
            {
                conf.DangerousRelease();
            }
        }
    }

    /// <summary>Reads an rd_kafka_error_t, destroys it, and returns its code and text.</summary>
    internal static (int Code, string Text) TakeError(nint error)
    {
        int code = ErrorCode(error);
        string text = Utf8(ErrorString(error));
        ErrorDestroy(error);
        return (code, text);
    }
}
