using System.Diagnostics;
using KafkaFast.Consumer;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>Bad settings and bad calls fail early, with the setting named and the reason given.</summary>
public class ConsumerValidationTests
{
    private static KafkaConsumerOptions Valid() => new() { BootstrapServers = "127.0.0.1:1", GroupId = "g" };

    private static ArgumentException Refused(KafkaConsumerOptions options)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new KafkaConsumer(options).Dispose());
        return e;
    }

    [Fact]
    public void Missing_or_malformed_required_settings_are_named()
    {
        Assert.Equal("BootstrapServers", Refused(new KafkaConsumerOptions { GroupId = "g" }).ParamName);
        new KafkaConsumer(new KafkaConsumerOptions { BootstrapServers = "127.0.0.1:1" }).Dispose(); // no group: a consumer that only assigns
        Assert.Equal("Properties", Refused(Valid().With(o => { o.GroupId = ""; o.Properties["group.id"] = " "; })).ParamName);
        Assert.Equal("GroupId", Refused(new KafkaConsumerOptions { BootstrapServers = "127.0.0.1:1", GroupId = "  " }).ParamName);
        Assert.Equal("GroupId", Refused(new KafkaConsumerOptions { BootstrapServers = "127.0.0.1:1", GroupId = " g" }).ParamName);
        Assert.Equal("ClientId", Refused(Valid().With(o => o.ClientId = "")).ParamName);
        Assert.Equal("AutoOffsetReset", Refused(Valid().With(o => o.AutoOffsetReset = (AutoOffsetReset)9)).ParamName);
        Assert.Equal("CommitMode", Refused(Valid().With(o => o.CommitMode = (CommitMode)9)).ParamName);
        Assert.Equal("IsolationLevel", Refused(Valid().With(o => o.IsolationLevel = (IsolationLevel)9)).ParamName);
        Assert.Equal("PartitionAssignmentStrategy", Refused(Valid().With(o => o.PartitionAssignmentStrategy = (PartitionAssignmentStrategy)9)).ParamName);
        Assert.Equal("AutoCommitInterval", Refused(Valid().With(o => o.AutoCommitInterval = TimeSpan.Zero)).ParamName);
        Assert.Equal("SessionTimeout", Refused(Valid().With(o => o.SessionTimeout = TimeSpan.FromDays(1))).ParamName);
        var poll = Refused(Valid().With(o => { o.SessionTimeout = TimeSpan.FromSeconds(30); o.MaxPollInterval = TimeSpan.FromSeconds(10); }));
        Assert.Equal("MaxPollInterval", poll.ParamName);
        Assert.Contains("SessionTimeout", poll.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new KafkaConsumer(null!));
    }

    [Fact]
    public void Pass_through_properties_are_checked_by_librdkafka_and_its_reason_is_shown()
    {
        var badValue = Refused(Valid().With(o => o.Properties["fetch.max.bytes"] = "lots"));
        Assert.Equal("Properties", badValue.ParamName);
        Assert.Contains("fetch.max.bytes", badValue.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid value", badValue.Message, StringComparison.Ordinal); // librdkafka's words

        var unknown = Refused(Valid().With(o => o.Properties["no.such.property"] = "1"));
        Assert.Contains("No such configuration property", unknown.Message, StringComparison.Ordinal);

        // A combination librdkafka only checks when the client is created.
        var combination = Refused(Valid().With(o => { o.Properties["security.protocol"] = "ssl"; o.Properties["ssl.ca.location"] = "/nonexistent/ca.pem"; }));
        Assert.Contains("ssl.ca.location", combination.Message, StringComparison.Ordinal);

        var reserved = Refused(Valid().With(o => o.Properties["enable.auto.commit"] = "false"));
        Assert.Equal("Properties", reserved.ParamName);
        Assert.Contains("CommitMode", reserved.Message, StringComparison.Ordinal);
        Assert.Contains("managed by KafkaFast", Refused(Valid().With(o => o.Properties["enable.partition.eof"] = "true")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_values_never_appear_in_messages()
    {
        const string secret = "hunter2-do-not-print";
        var unknownSecret = Refused(Valid().With(o => o.Properties["my.secret.thing"] = secret));
        Assert.DoesNotContain(secret, unknownSecret.ToString(), StringComparison.Ordinal);
        Assert.Contains("my.secret.thing", unknownSecret.Message, StringComparison.Ordinal);

        var badPassword = Refused(Valid().With(o => o.Properties["sasl.password"] = secret).With(o => o.Properties["fetch.max.bytes"] = "x"));
        Assert.DoesNotContain(secret, badPassword.ToString(), StringComparison.Ordinal);

        // A secret librdkafka rejects by value: its reason quotes the value, which is scrubbed.
        var rejected = Refused(Valid().With(o => o.Properties["ssl.keystore.password"] = secret).With(o => { o.Properties["security.protocol"] = "ssl"; o.Properties["ssl.keystore.location"] = "/nonexistent.p12"; }));
        Assert.DoesNotContain(secret, rejected.ToString(), StringComparison.Ordinal);

        KafkaConsumerOptions options = Valid().With(o => o.Properties["sasl.password"] = secret);
        Assert.DoesNotContain(secret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_consumer_group_protocol_leaves_assignment_and_session_to_the_broker()
    {
        var strategy = Refused(Valid().With(o => { o.Properties["group.protocol"] = "consumer"; o.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky; }));
        Assert.Equal("PartitionAssignmentStrategy", strategy.ParamName);
        using var consumer = new KafkaConsumer(Valid().With(o => o.Properties["group.protocol"] = "consumer")); // accepted as is
    }

    [Fact]
    public void Bad_subscriptions_are_refused()
    {
        using var consumer = new KafkaConsumer(Valid());
        Assert.Throws<ArgumentNullException>(() => consumer.Subscribe((IEnumerable<string>)null!));
        Assert.Contains("at least one topic", Assert.Throws<ArgumentException>(() => consumer.Subscribe([])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => consumer.Subscribe("bad topic"));
        Assert.Throws<ArgumentException>(() => consumer.Subscribe(""));
        Assert.Throws<ArgumentException>(() => consumer.Subscribe("^"));
        Assert.Throws<ArgumentException>(() => consumer.Subscribe(["ok", null!]));
        Assert.Throws<ArgumentException>(() => consumer.Subscribe(new string('t', 250)));
    }

    [Fact]
    public async Task Bad_consume_arguments_are_refused()
    {
        using var consumer = new KafkaConsumer(Valid());
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.ConsumeBatch(0, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.ConsumeBatch(KafkaConsumer.MaxBatchSize + 1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.ConsumeBatch(10, TimeSpan.FromMilliseconds(-5)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await consumer.ConsumeBatchAsync(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.ConsumeBatchesAsync(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Committed([new TopicPartition("t", 0)], TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentException>(() => consumer.Commit(Array.Empty<TopicPartitionOffset>()));
        Assert.Throws<ArgumentException>(() => consumer.Seek(new TopicPartitionOffset("bad topic", 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Pause([new TopicPartition("t", -1)]));
    }

    [Fact]
    public async Task A_second_concurrent_consume_call_is_refused_and_close_wakes_a_waiting_call()
    {
        using var cluster = NewCluster();
        string topic = Unique("concurrent");
        cluster.CreateTopic(topic, 1);
        var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 1, "assignment");

        var waiting = Task.Factory.StartNew(() =>
        {
            using ConsumedBatch batch = consumer.ConsumeBatch(10, TimeSpan.FromMinutes(5)); // nothing will arrive
            return batch.Count;
        }, TaskCreationOptions.LongRunning);

        var clock = Stopwatch.StartNew();
        while (!consumer.IsConsuming)
        {
            Assert.True(clock.Elapsed < Patience, "the waiting consume call never started");
            Assert.False(waiting.IsCompleted, $"the waiting consume call ended early: {waiting.Exception}");
            Thread.Sleep(5);
        }

        var refused = Assert.Throws<InvalidOperationException>(() => consumer.ConsumeBatch(1, TimeSpan.Zero));
        Assert.Contains("one at a time", refused.Message, StringComparison.Ordinal);
        consumer.Close(); // wakes the waiting call, which returns an empty batch
        Assert.Equal(0, await waiting.WaitAsync(Patience)); // (a TimeoutException means Close did not wake it)
    }

    [Fact]
    public async Task Close_ends_the_async_sequence_and_everything_after_it_is_refused()
    {
        using var cluster = NewCluster();
        string topic = Unique("closed");
        cluster.CreateTopic(topic, 1);
        var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        var loop = Task.Run(async () =>
        {
            int batches = 0;
            await foreach (ConsumedBatch batch in consumer.ConsumeBatchesAsync(10))
            {
                batch.Dispose();
                batches++;
            }

            return batches;
        });
        PollUntilAssigned(consumer);
        consumer.Close();
        Assert.Equal(0, await loop.WaitAsync(Patience)); // the sequence ended

        consumer.Close();   // idempotent
        consumer.Dispose(); // and so is Dispose
        Assert.Throws<ObjectDisposedException>(() => consumer.ConsumeBatch(1, TimeSpan.Zero));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await consumer.ConsumeBatchAsync(1));
        Assert.Throws<ObjectDisposedException>(() => consumer.Subscribe("t"));
        Assert.Throws<ObjectDisposedException>(() => consumer.Commit());
        Assert.Throws<ObjectDisposedException>(() => consumer.Seek(new TopicPartitionOffset("t", 0, 0)));
        Assert.Throws<ObjectDisposedException>(() => consumer.Assignment.Count > 0 ? consumer.MemberId : consumer.MemberId);
        Assert.Contains("closed", consumer.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Waits (without consuming: the async loop owns the consumer) until the group assigned partitions.</summary>
    private static void PollUntilAssigned(KafkaConsumer consumer)
    {
        var clock = Stopwatch.StartNew();
        while (consumer.Assignment.Count == 0)
        {
            Assert.True(clock.Elapsed < Patience, "no assignment");
            Thread.Sleep(10);
        }
    }
}

/// <summary>Tiny helper so option variations read as one expression.</summary>
internal static class OptionsExtensions
{
    internal static KafkaConsumerOptions With(this KafkaConsumerOptions options, Action<KafkaConsumerOptions> change)
    {
        change(options);
        return options;
    }
}
