using System.Collections;
using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>What reading a matrix topic back showed.</summary>
/// <param name="Ok">Nothing lost, nothing duplicated, order per partition kept, bytes as written.</param>
/// <param name="Summary">What was checked, or what was wrong.</param>
/// <param name="Full">Every produced record was read back (the broker still held them all).</param>
internal sealed record ReadBackResult(bool Ok, string Summary, bool Full);

/// <summary>
/// Reads a matrix topic back with Confluent.Kafka's consumer (an independent peer) and checks it against what the
/// producer sent: message numbers 0..N-1, each once, increasing within every partition, with the key and value
/// bytes <see cref="MatrixWorkload"/> wrote. The embedded broker keeps only about 5 MiB per partition (it drops the
/// oldest message sets past that): when a partition's log no longer starts at 0, what it dropped cannot be read, so
/// the check is then: the partitions' end offsets add up to N exactly (the log holds one record per message: none
/// lost, none duplicated), and everything still held is read and checked as above.
/// </summary>
internal static class ReadBackCheck
{
    internal static ReadBackResult Run(string bootstrap, string topic, int partitions, long produced, TimeSpan timeout)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"matrix-check-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
        };
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"[read-back] {e.Code}: {e.Reason}"))
            .Build();
        var low = new long[partitions];
        var high = new long[partitions];
        for (int p = 0; p < partitions; p++)
        {
            Confluent.Kafka.WatermarkOffsets w = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, p), TimeSpan.FromSeconds(30));
            (low[p], high[p]) = (w.Low.Value, w.High.Value);
        }

        long inLog = high.Sum();
        long held = high.Zip(low, (h, l) => h - l).Sum();
        bool full = low.All(l => l == 0);
        var seen = new BitArray((int)Math.Min(produced, int.MaxValue));
        var last = Enumerable.Repeat(-1L, partitions).ToArray();
        var next = (long[])low.Clone();
        long read = 0, duplicated = 0, disordered = 0, corrupt = 0, gaps = 0;
        int done = Enumerable.Range(0, partitions).Count(p => high[p] == low[p]);
        consumer.Assign(Enumerable.Range(0, partitions).Where(p => high[p] > low[p])
            .Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, new Offset(low[p]))));
        var clock = Stopwatch.StartNew();
        while (done < partitions && clock.Elapsed < timeout)
        {
            ConsumeResult<byte[], byte[]>? r = consumer.Consume(TimeSpan.FromSeconds(1));
            if (r is null)
            {
                continue;
            }

            int p = r.Partition.Value;
            if (r.IsPartitionEOF)
            {
                continue;
            }

            if (r.Offset.Value != next[p])
            {
                gaps++; // the broker's log skipped offsets (or the first retained offset moved under us)
            }

            next[p] = r.Offset.Value + 1;
            read++;
            long sequence = MatrixWorkload.Verify(r.Message.Key, r.Message.Value);
            if (sequence < 0 || sequence >= produced)
            {
                corrupt++;
            }
            else
            {
                if (seen[(int)sequence])
                {
                    duplicated++;
                }

                seen[(int)sequence] = true;
                if (sequence <= last[p])
                {
                    disordered++;
                }

                last[p] = sequence;
            }

            if (next[p] >= high[p])
            {
                done++;
            }
        }

        var problems = new List<string>();
        if (inLog != produced)
        {
            problems.Add($"the partitions end at {inLog:N0} records in all for {produced:N0} produced ({(inLog > produced ? "duplicates" : "losses")})");
        }

        if (done < partitions)
        {
            problems.Add($"read {read:N0} of the {held:N0} records held before the {timeout.TotalSeconds:0} s timeout");
        }

        if (duplicated > 0)
        {
            problems.Add($"{duplicated:N0} duplicated");
        }

        if (disordered > 0)
        {
            problems.Add($"{disordered:N0} out of order within a partition");
        }

        if (corrupt > 0)
        {
            problems.Add($"{corrupt:N0} with a key or value not as written");
        }

        if (gaps > 0 && full)
        {
            problems.Add($"{gaps:N0} offset gaps");
        }

        if (problems.Count > 0)
        {
            return new ReadBackResult(false, "FAILED: " + string.Join("; ", problems), full);
        }

        return full
            ? new ReadBackResult(true, $"all {produced:N0} read back", true)
            : new ReadBackResult(true, $"{inLog:N0} in the log = produced; last {read:N0} read back", false);
    }
}
