using System.Diagnostics;
using System.Runtime.CompilerServices;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>Batch and view lifetimes: stale views throw, forgotten batches and consumers are reclaimed by the GC.</summary>
public class ConsumerLifetimeTests
{
    private static ConsumedBatch NonEmptyBatch(KafkaConsumer consumer, int max = 100)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(clock.Elapsed < Patience, "no messages within the patience");
            ConsumedBatch batch = consumer.ConsumeBatch(max, TimeSpan.FromMilliseconds(200));
            if (!batch.IsEmpty)
            {
                return batch;
            }

            batch.Dispose();
        }
    }

    [Fact]
    public void Views_of_a_disposed_batch_throw_instead_of_reading_freed_memory()
    {
        using var cluster = NewCluster();
        string topic = Unique("views");
        cluster.CreateTopic(topic, 1);
        Produce(cluster, topic, 20, 1);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);

        ConsumedBatch batch = NonEmptyBatch(consumer);
        ConsumedMessage message = batch[0];
        Assert.Equal(Value(0), message.Value.ToArray());
        batch.Dispose();
        batch.Dispose(); // idempotent

        Assert.Throws<ObjectDisposedException>(() => message.Value.Length);
        Assert.Throws<ObjectDisposedException>(() => message.Key.Length);
        Assert.Throws<ObjectDisposedException>(() => message.IsKeyNull);
        Assert.Throws<ObjectDisposedException>(() => message.Topic);
        Assert.Throws<ObjectDisposedException>(() => message.TopicUtf8.Length);
        Assert.Throws<ObjectDisposedException>(() => message.Partition);
        Assert.Throws<ObjectDisposedException>(() => message.Offset);
        Assert.Throws<ObjectDisposedException>(() => message.Timestamp);
        Assert.Throws<ObjectDisposedException>(() => message.Headers);
        Assert.Throws<ObjectDisposedException>(() => message.TopicPartitionOffset);
        Assert.Throws<ObjectDisposedException>(() => batch.Count);
        Assert.Throws<ObjectDisposedException>(() => batch[0]);
        Assert.Throws<ObjectDisposedException>(() => batch.GetEnumerator());
        Assert.Throws<ObjectDisposedException>(() => batch.GetCommitOffsets());
        Assert.Throws<ObjectDisposedException>(() => consumer.StoreOffsets(batch));
        Assert.Equal("ConsumedMessage(disposed)", message.ToString());
        Assert.Throws<InvalidOperationException>(() => default(ConsumedMessage).Offset);
    }

    [Fact]
    public void A_view_stays_stale_when_its_batch_object_is_reused_for_the_next_call()
    {
        using var cluster = NewCluster();
        string topic = Unique("reuse");
        cluster.CreateTopic(topic, 1);
        Produce(cluster, topic, 10, 1);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);

        ConsumedBatch first = NonEmptyBatch(consumer, max: 1);
        ConsumedMessage old = first[0];
        ConsumedBatch.Enumerator enumerator = first.GetEnumerator();
        first.Dispose();
        using ConsumedBatch second = NonEmptyBatch(consumer, max: 1);
        Assert.Same(first, second); // pooled: same object, next generation

        Assert.Equal(1, second[0].Offset);
        Assert.Throws<ObjectDisposedException>(() => old.Offset);
        Assert.Throws<ObjectDisposedException>(() => old.Value.Length);
        Assert.Throws<ObjectDisposedException>(() => enumerator.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => consumer.Commit(old));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ConsumeAndForget(KafkaConsumer consumer, int messages)
    {
        int seen = 0;
        var clock = Stopwatch.StartNew();
        while (seen < messages)
        {
            Assert.True(clock.Elapsed < Patience, $"saw {seen} of {messages}");
            ConsumedBatch batch = consumer.ConsumeBatch(16, TimeSpan.FromMilliseconds(200)); // never disposed
            seen += batch.Count;
        }

        return seen;
    }

    private static void CollectUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"{what}: not reached after {clock.Elapsed} of collections");
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Theory]
    [InlineData(CommitMode.Manual)]
    [InlineData(CommitMode.Auto)]
    public void Batches_nobody_disposes_are_released_by_the_garbage_collector(CommitMode mode)
    {
        using var cluster = NewCluster();
        string topic = Unique("forgotten");
        cluster.CreateTopic(topic, 2);
        Produce(cluster, topic, 200, 2);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), mode));
        consumer.Subscribe(topic);

        Assert.Equal(200, ConsumeAndForget(consumer, 200));
        Assert.True(consumer.OutstandingMessages > 0, "forgotten batches should still own their messages before a collection");
        if (mode == CommitMode.Auto)
        {
            // The last batch is referenced until the next consume call stores its offsets.
            consumer.ConsumeBatch(1, TimeSpan.Zero).Dispose();
        }

        CollectUntil(() => consumer.OutstandingMessages == 0, "forgotten batches released");
        using ConsumedBatch next = consumer.ConsumeBatch(10, TimeSpan.Zero); // the consumer carries on
        Assert.True(next.IsEmpty);
    }

    [Fact]
    public void A_batch_held_past_the_consumers_dispose_stays_readable_until_it_is_disposed()
    {
        using var cluster = NewCluster();
        string topic = Unique("outlive");
        cluster.CreateTopic(topic, 1);
        Produce(cluster, topic, 5, 1);
        var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        using var destroyed = new ManualResetEventSlim();
        consumer.OnNativeDestroyed(destroyed.Set);
        consumer.Subscribe(topic);
        ConsumedBatch batch = NonEmptyBatch(consumer);
        consumer.Dispose();
        Assert.False(destroyed.IsSet, "librdkafka was destroyed while a batch still references its memory");

        Assert.Throws<ObjectDisposedException>(() => consumer.ConsumeBatch(1, TimeSpan.Zero));
        Assert.Equal(topic, batch[0].Topic);
        Assert.Equal(Key(0), batch[0].Key.ToArray());
        Assert.Equal(2, batch[0].Headers.Count);
        Assert.True(consumer.OutstandingMessages > 0);
        batch.Dispose(); // the librdkafka client is destroyed now, with the last batch
        Assert.Equal(0, consumer.OutstandingMessages);
        Assert.True(destroyed.IsSet, "disposing the last batch should destroy the closed consumer's librdkafka client");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Abandon(KafkaMockCluster cluster, string group, string topic, ManualResetEventSlim destroyed)
    {
        var consumer = new KafkaConsumer(Options(cluster, group));
        consumer.OnNativeDestroyed(destroyed.Set);
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 2, "the abandoned consumer's assignment");
        NonEmptyBatch(consumer, max: 100).Dispose();
        ConsumedBatch forgotten = NonEmptyBatch(consumer, max: 100); // not disposed either
        return new WeakReference(consumer);
    }

    [Fact]
    public void An_abandoned_consumer_is_finalized_destroys_librdkafka_and_its_partitions_go_to_the_next_member()
    {
        using var cluster = NewCluster();
        string topic = Unique("abandoned"), group = Unique("group");
        cluster.CreateTopic(topic, 2);
        Produce(cluster, topic, 400, 2);
        using var destroyed = new ManualResetEventSlim();
        WeakReference abandoned = Abandon(cluster, group, topic, destroyed);

        // Nothing references the consumer or its forgotten batch: the SafeHandles' finalizers release the queues and
        // the messages, then the last reference on the rd_kafka_t goes and rd_kafka_destroy runs on a background
        // thread, without closing the consumer (never waiting for brokers): the group gives its partitions to the
        // survivor once the abandoned member's session (2 s) times out.
        CollectUntil(() => !abandoned.IsAlive && destroyed.IsSet, "the abandoned consumer collected and librdkafka destroyed");

        using var survivor = new KafkaConsumer(Options(cluster, group));
        survivor.Subscribe(topic);
        PollUntil(survivor, () => survivor.Assignment.Count == 2, "the survivor owns every partition");
    }

    [Fact]
    public async Task Closing_while_the_async_loop_processes_a_batch_ends_the_sequence_and_the_batch_stays_valid()
    {
        using var cluster = NewCluster();
        string topic = Unique("closeinloop");
        cluster.CreateTopic(topic, 1);
        Produce(cluster, topic, 5, 1);
        var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        using var inBody = new SemaphoreSlim(0);
        using var closed = new SemaphoreSlim(0);
        var loop = Task.Run(async () =>
        {
            var values = new List<byte[]>();
            await foreach (ConsumedBatch batch in consumer.ConsumeBatchesAsync(100))
            {
                using (batch)
                {
                    inBody.Release();
                    await closed.WaitAsync(); // the consumer is closed while this batch is held
                    values.AddRange(batch.Select(m => m.Value.ToArray()));
                }
            }

            return values;
        });

        Assert.True(await inBody.WaitAsync(Patience), "no batch arrived");
        consumer.Close();
        closed.Release();
        List<byte[]> read = await loop.WaitAsync(Patience);
        Assert.NotEmpty(read);
        Assert.Equal(Value(0), read[0]);
    }
}
