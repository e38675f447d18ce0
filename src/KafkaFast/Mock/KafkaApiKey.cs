namespace KafkaFast.Mock;

/// <summary>Kafka protocol request types, for injecting errors into <see cref="KafkaMockCluster"/>.</summary>
public enum KafkaApiKey : short
{
    /// <summary>Produce.</summary>
    Produce = 0,
    /// <summary>Fetch.</summary>
    Fetch = 1,
    /// <summary>ListOffsets.</summary>
    ListOffsets = 2,
    /// <summary>Metadata.</summary>
    Metadata = 3,
    /// <summary>OffsetCommit.</summary>
    OffsetCommit = 8,
    /// <summary>OffsetFetch.</summary>
    OffsetFetch = 9,
    /// <summary>FindCoordinator.</summary>
    FindCoordinator = 10,
    /// <summary>JoinGroup.</summary>
    JoinGroup = 11,
    /// <summary>Heartbeat.</summary>
    Heartbeat = 12,
    /// <summary>LeaveGroup.</summary>
    LeaveGroup = 13,
    /// <summary>SyncGroup.</summary>
    SyncGroup = 14,
    /// <summary>InitProducerId.</summary>
    InitProducerId = 22,
}
