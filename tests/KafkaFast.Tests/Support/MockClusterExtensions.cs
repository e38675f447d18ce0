using KafkaFast.Mock;

namespace KafkaFast.Tests.Support;

internal static class MockClusterExtensions
{
    /// <summary>Takes every broker of the cluster down, or brings every one back up.</summary>
    internal static void SetAllBrokers(this KafkaMockCluster cluster, bool up)
    {
        for (int b = 1; b <= cluster.BrokerCount; b++)
        {
            if (up)
            {
                cluster.SetBrokerUp(b);
            }
            else
            {
                cluster.SetBrokerDown(b);
            }
        }
    }
}
