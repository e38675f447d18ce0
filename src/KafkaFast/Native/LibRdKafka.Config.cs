using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>librdkafka configuration objects (rd_kafka_conf_t).</summary>
internal static unsafe partial class LibRdKafka
{
    internal const int ConfOk = 0;

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_new")]
    internal static partial nint ConfNew();

    /// <summary>IntPtr: called from SafeConfigHandle.ReleaseHandle.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(nint conf);

    /// <returns>0 ok, -1 invalid value, -2 unknown property; the reason is written into errstr.</returns>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(SafeConfigHandle conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_events")]
    internal static partial void ConfSetEvents(SafeConfigHandle conf, int events);

    /// <returns>0 and the value (NUL-terminated) in dest; -2 for an unknown property.</returns>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_get", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfGet(SafeConfigHandle conf, string name, byte* dest, nuint* destSize);

    /// <summary>Sets a property, throwing with librdkafka's own reason when it refuses.</summary>
    internal static void ConfSetOrThrow(SafeConfigHandle conf, string name, string value, bool secret = false)
    {
        byte* errstr = stackalloc byte[512];
        int result = ConfSet(conf, name, value, errstr, 512);
        if (result != ConfOk)
        {
            string reason = Marshal.PtrToStringUTF8((nint)errstr) ?? "rejected";
            string shown = secret ? "(secret)" : $"'{value}'";
            throw new ArgumentException($"Invalid librdkafka property '{name}' = {shown}: {reason}", name);
        }
    }

    /// <summary>
    /// Drops log lines librdkafka would hand its log callback, whose default prints to stderr: a library never writes
    /// to the console on its own. Clients that want the lines set log.queue (events) or their own callback instead.
    /// </summary>
    internal static void ConfSetNoLogCallback(SafeConfigHandle conf) => ConfSetLogCb(conf, null);

    /// <summary>Reads a property's effective value (its default when never set), or null when unknown.</summary>
    internal static string? ConfGetString(SafeConfigHandle conf, string name)
    {
        nuint size = 0;
        if (ConfGet(conf, name, null, &size) != ConfOk)
        {
            return null;
        }

        byte* buffer = stackalloc byte[(int)size + 1];
        return ConfGet(conf, name, buffer, &size) == ConfOk ? Marshal.PtrToStringUTF8((nint)buffer) : null;
    }
}
