using System.Runtime.InteropServices;
using KafkaFast.Mock;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Mock;

/// <summary>
/// librdkafka aborts the whole process (assertion rk_mock.cluster_cnt > 0, exit 134) when its mock cluster cannot
/// open the brokers' listening sockets: rd_kafka_mock_cluster_new's cleanup calls rd_kafka_mock_cluster_destroy
/// before it counted the cluster. <see cref="KafkaMockCluster"/> must fail with an exception instead.
/// </summary>
[Collection(SerialTests.Name)]
public sealed partial class KafkaMockClusterStartTests
{
    private const int RlimitNoFile = 7; // RLIMIT_NOFILE on Linux

    [Fact]
    public void A_cluster_that_cannot_open_its_listeners_throws_instead_of_aborting_the_process()
    {
        using (var warmUp = new KafkaMockCluster(1))
        {
            Assert.NotEmpty(warmUp.BootstrapServers); // the code path (and the sockets library) is loaded before descriptors run out
        }

        Exception? error = WhileNoDescriptorIsFree(() => Record.Exception(() => new KafkaMockCluster(3).Dispose()));

        var refused = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("cannot start", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Too many open files", refused.Message, StringComparison.Ordinal);
        using var cluster = new KafkaMockCluster(3); // and with descriptors back, it starts
        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
    }

    /// <summary>Runs <paramref name="action"/> with the descriptor limit at the lowest free descriptor: opening any file fails with EMFILE.</summary>
    private static T WhileNoDescriptorIsFree<T>(Func<T> action)
    {
        Assert.Equal(0, GetRlimit(RlimitNoFile, out Rlimit saved));
        int lowestFree;
        using (var probe = File.OpenHandle("/dev/null"))
        {
            lowestFree = (int)probe.DangerousGetHandle(); // the kernel hands out the lowest free number
        }

        var exhausted = new Rlimit { Current = (ulong)lowestFree, Maximum = saved.Maximum };
        Assert.Equal(0, SetRlimit(RlimitNoFile, in exhausted));
        try
        {
            return action();
        }
        finally
        {
            Assert.Equal(0, SetRlimit(RlimitNoFile, in saved));
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, in Rlimit limit);
}
