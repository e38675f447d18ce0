using System.Text;
using CsCheck;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Properties;

/// <summary>
/// Property-based tests (CsCheck) of the producer's public inputs: whatever a caller hands over, each call either
/// succeeds or throws a clear <see cref="ArgumentException"/> naming the problem, never accepts part of its input,
/// and the producer still delivers what it accepted and the next messages. On a failure CsCheck prints the seed
/// that reproduces it. Iterations are kept small (CI time); every property ends with a flush and a count check.
/// </summary>
public sealed class ProducerInputProperties : IDisposable
{
    private const int MaxBytes = 1000; // the smallest message.max.bytes: sizes around it are cheap to generate
    private const int Partitions = 3;
    private readonly KafkaMockCluster _cluster = new(1);
    private readonly KafkaProducer _producer;
    private readonly KafkaTopic _topic;
    private long _acceptedByTests;

    public ProducerInputProperties()
    {
        _cluster.CreateTopic("properties", Partitions);
        _producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = MaxBytes));
        _topic = _producer.GetTopic("properties");
    }

    public void Dispose()
    {
        _producer.Dispose();
        _cluster.Dispose();
    }

    private static readonly Gen<byte[]> SmallBytes = Gen.Byte.Array[0, 64];

    /// <summary>Headers: none, empty names and values, long names, values up to past the limit.</summary>
    private static readonly Gen<KafkaHeader[]> Headers =
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 40], Gen.Byte.Array[0, MaxBytes + 10], (name, value) => new KafkaHeader(name, value)).Array[0, 4];

    /// <summary>Key, value and headers whose total sits anywhere from 0 to a little past message.max.bytes.</summary>
    private static readonly Gen<ProducerMessage> AroundTheLimit =
        Gen.Select(Gen.Byte.Array[0, 80], Gen.Int[0, MaxBytes + 40], Gen.Frequency((3, Gen.Const(Array.Empty<KafkaHeader>())), (1, Headers)),
            (key, valueLength, headers) => new ProducerMessage(key, new byte[valueLength]) { Headers = headers });

    [Fact]
    public async Task Sizes_from_zero_past_the_limit_are_accepted_and_delivered_or_refused_with_a_clear_error()
    {
        AroundTheLimit.Sample(message =>
        {
            long before = _producer.GetStatistics().Accepted;
            try
            {
                Assert.True(_producer.TryProduce(_topic, message.Key.Span, message.Value.Span, message.Headers.Span));
                _acceptedByTests++;
            }
            catch (ArgumentException e)
            {
                Assert.Contains("message.max.bytes", e.Message, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(before, _producer.GetStatistics().Accepted); // nothing of it accepted
            }
        }, iter: 300, threads: 1);

        await AllAcceptedWereDelivered();
    }

    [Fact]
    public async Task A_partition_out_of_range_is_refused_by_name_and_nothing_is_accepted()
    {
        Gen.Int[-4, Partitions + 4].Sample(partition =>
        {
            long before = _producer.GetStatistics().Accepted;
            bool valid = partition == KafkaPartition.Any || partition is >= 0 and < Partitions;
            if (valid)
            {
                Assert.True(_producer.TryProduce(_topic, "k"u8, "v"u8, partition: partition));
                _acceptedByTests++;
                return;
            }

            var error = Assert.ThrowsAny<ArgumentException>(() => _producer.TryProduce(_topic, "k"u8, "v"u8, partition: partition));
            Assert.Contains("partition", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, _producer.GetStatistics().Accepted);
        }, iter: 100, threads: 1);

        await AllAcceptedWereDelivered();
    }

    /// <summary>A batch of good messages with bad ones (too large, partition out of range) anywhere, across the 256-message chunks.</summary>
    private static readonly Gen<(ProducerMessage[] Batch, int Bad)> MixedBatches =
        Gen.Select(Gen.Int[1, 600], Gen.Int[0, 3], Gen.Int, (length, badCount, seed) =>
        {
            var random = new Random(seed);
            var batch = new ProducerMessage[length];
            for (int i = 0; i < length; i++)
            {
                batch[i] = new ProducerMessage(BitConverter.GetBytes(i), new byte[random.Next(0, 100)]);
            }

            int bad = 0;
            for (int b = 0; b < badCount; b++)
            {
                int at = random.Next(length);
                batch[at] = random.Next(2) == 0
                    ? new ProducerMessage(default, new byte[MaxBytes + 1 + random.Next(100)])
                    : new ProducerMessage(default, new byte[1]) { Partition = Partitions + random.Next(5) };
                bad++;
            }

            return (batch, bad);
        });

    [Fact]
    public async Task A_batch_with_a_bad_message_anywhere_is_refused_whole()
    {
        MixedBatches.Sample(sample =>
        {
            long before = _producer.GetStatistics().Accepted;
            if (sample.Bad == 0)
            {
                int accepted = _producer.TryProduceBatch(_topic, sample.Batch);
                Assert.Equal(sample.Batch.Length, accepted); // the budget is far from full here
                _acceptedByTests += accepted;
                return;
            }

            Assert.ThrowsAny<ArgumentException>(() => _producer.TryProduceBatch(_topic, sample.Batch));
            Assert.Equal(before, _producer.GetStatistics().Accepted); // never partial acceptance
        }, iter: 60, threads: 1);

        await AllAcceptedWereDelivered();
    }

    /// <summary>Text with lone surrogates, unpaired halves at the ends, the replacement character, and plain text.</summary>
    private static readonly Gen<string> OddText =
        Gen.Frequency(
            (2, Gen.String[Gen.Char, 0, 40]), // any UTF-16 code unit, lone surrogates included
            (1, Gen.OneOf(Gen.Const("\ud800"), Gen.Const("\udfff"), Gen.Const("a\ud800b"), Gen.Const("\udc00\ud800"), Gen.Const("\ud83d\ude00"), Gen.Const("\ufffd"), Gen.Const(""))));

    [Fact]
    public async Task Text_with_lone_surrogates_is_encoded_as_dotnet_does_and_read_back_exactly()
    {
        var sent = new List<(string Key, string Value)>();
        Gen.Select(OddText, OddText).Sample(text =>
        {
            Assert.True(_producer.TryProduce(_topic, text.Item1.AsSpan(), text.Item2.AsSpan(), partition: 0));
            _acceptedByTests++;
            sent.Add(text);
        }, iter: 100, threads: 1);

        await AllAcceptedWereDelivered();
        var read = ReadBack.All(_cluster.BootstrapServers, "properties", Partitions, (int)_acceptedByTests)
            .Where(m => m.Partition == 0).OrderBy(m => m.Offset).TakeLast(sent.Count).ToList();
        for (int i = 0; i < sent.Count; i++)
        {
            // UTF-8 as Encoding.UTF8 writes it: a lone surrogate becomes U+FFFD (EF BF BD), like every .NET API does.
            Assert.Equal(Encoding.UTF8.GetBytes(sent[i].Key), read[i].Key);
            Assert.Equal(Encoding.UTF8.GetBytes(sent[i].Value), read[i].Value);
        }
    }

    [Fact]
    public async Task A_cancelled_token_either_leaves_the_message_unaccepted_or_it_is_delivered()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var outcomes = new List<ValueTask<DeliveryResult>>();
        Gen.Select(SmallBytes, SmallBytes).Sample(message =>
        {
            long before = _producer.GetStatistics().Accepted;
            ValueTask<DeliveryResult> call;
            try
            {
                call = _producer.ProduceAsync(_topic, new ProducerMessage(message.Item1, message.Item2), cancelled.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Equal(before, _producer.GetStatistics().Accepted);
                return;
            }

            if (_producer.GetStatistics().Accepted > before)
            {
                _acceptedByTests++;
                outcomes.Add(call); // accepted: a cancelled token cannot take it back, it must be delivered
            }
            else
            {
                Assert.True(call.IsCanceled || call.IsFaulted, "not accepted, yet the call neither failed nor was cancelled");
                _ = call.AsTask().Exception;
            }
        }, iter: 100, threads: 1);

        foreach (ValueTask<DeliveryResult> call in outcomes)
        {
            DeliveryResult result = await call.AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(result.Offset >= 0);
        }

        await AllAcceptedWereDelivered();
    }

    [Fact]
    public async Task Dispose_racing_produce_calls_ends_every_accepted_message_and_no_call_does_anything_else()
    {
        await Gen.Int[0, 30].SampleAsync(async disposeAfterMs =>
        {
            var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = MaxBytes));
            KafkaTopic topic = producer.GetTopic("properties");
            long accepted = 0;
            var callers = Enumerable.Range(0, 3).Select(t => Task.Run(() =>
            {
                while (true)
                {
                    try
                    {
                        if (producer.TryProduce(topic, "k"u8, "value"u8))
                        {
                            Interlocked.Increment(ref accepted);
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        return; // the only exception a racing call may see: the producer is closed
                    }
                }
            })).ToArray();
            await Task.Delay(disposeAfterMs);
            await producer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
            ProducerStatistics stats = producer.GetStatistics();
            Assert.Equal(accepted, stats.Accepted);
            Assert.Equal(stats.Accepted, stats.Delivered + stats.Failed); // every accepted message ended
        }, iter: 8, threads: 1);
    }

    /// <summary>The producer delivered everything the property accepted, and still delivers the next message.</summary>
    private async Task AllAcceptedWereDelivered()
    {
        Assert.True(_producer.TryProduce(_topic, "next"u8, "still works"u8));
        _acceptedByTests++;
        long left = await _producer.FlushAsync(TimeSpan.FromSeconds(60));
        ProducerStatistics stats = _producer.GetStatistics();
        Assert.True(left == 0, $"{left} still in flight: {stats}");
        Assert.Equal(_acceptedByTests, stats.Accepted);
        Assert.True(stats.Failed == 0, $"accepted messages failed: {string.Join(", ", stats.FailedByError.Select(kv => $"{kv.Key} {kv.Value}"))}");
        Assert.Equal(stats.Accepted, stats.Delivered);
    }
}
