using KafkaFast.Measurement;

namespace KafkaFast.Tests.Support;

/// <summary>The tests' questions about this process, answered by the shared measurement toolkit (KafkaFast.Measurement).</summary>
internal static class ProcessProbe
{
    /// <summary>CPU time (user + sys, nanoseconds) used so far by live threads whose name starts with <paramref name="prefix"/>.</summary>
    internal static long ThreadCpuNanoseconds(string prefix) => ThreadCpu.TotalNanoseconds(prefix);

    /// <summary>OS threads that belong to Kafka clients: librdkafka's ("rdk:...") and our workers ("KafkaFast ...").</summary>
    internal static int KafkaThreadCount() => KafkaThreadIds().Count;

    /// <summary>The OS thread ids of <see cref="KafkaThreadCount"/>'s threads.</summary>
    internal static HashSet<int> KafkaThreadIds() =>
        ThreadCpu.Read().Where(t => t.Name.StartsWith("rdk:", StringComparison.Ordinal) || t.Name.StartsWith("KafkaFast", StringComparison.Ordinal))
            .Select(t => t.ThreadId).ToHashSet();

    internal static long ResidentBytes() => ProcessMemory.ResidentBytes();

    /// <summary>Bytes malloc has handed out and not had back, over all arenas (glibc mallinfo2).</summary>
    internal static long NativeHeapInUse() => ProcessMemory.NativeHeapInUseBytes();

    /// <summary>Waits (bounded) for a reading to come back down, because threads and memory are released asynchronously.</summary>
    internal static long SettleTo(Func<long> read, long target, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long value = read();
        while (value > target && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(50);
            value = read();
        }

        return value;
    }
}
