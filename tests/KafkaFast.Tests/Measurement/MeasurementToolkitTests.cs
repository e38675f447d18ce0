using System.Runtime.InteropServices;
using KafkaFast.Measurement;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Measurement;

/// <summary>
/// The shared measurement toolkit (src/KafkaFast.Measurement) reports what really happened in this process. Its
/// readings are process-wide (RSS, native heap), so these tests run alone, after the parallel ones.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class MeasurementToolkitTests
{
    [Fact]
    public void Histogram_percentiles_are_within_a_tenth_of_a_percent_and_the_maximum_is_exact()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 1000; us++)
        {
            histogram.RecordNanoseconds(us * 1000 + 7);
        }

        LatencySummary summary = histogram.Summarize();
        Assert.Equal(1000, summary.Samples);
        Assert.InRange(summary.P50, 500_007, 500_007 * 1.001);
        Assert.InRange(summary.P99, 990_007, 990_007 * 1.001);
        Assert.InRange(summary.P999, 999_007, 1_000_007);
        Assert.Equal(1_000_007, summary.Max);
        Assert.True(histogram.ValueAtPercentile(100) <= summary.Max);
    }

    [Fact]
    public void Histogram_records_from_many_threads_clamps_out_of_range_values_and_merges()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                histogram.RecordNanoseconds(i);
            }
        });
        histogram.RecordNanoseconds(-5);
        histogram.RecordNanoseconds(long.MaxValue);
        Assert.Equal(40_002, histogram.Count);
        Assert.Equal(LatencyHistogram.HighestTrackableNanoseconds, histogram.Max);
        Assert.Equal(0, histogram.ValueAtPercentile(0));

        var other = new LatencyHistogram();
        other.RecordTicks(0, System.Diagnostics.Stopwatch.Frequency); // one second
        histogram.Clear();
        Assert.Equal(LatencySummary.Empty, histogram.Summarize());
        histogram.Add(other);
        Assert.Equal(1, histogram.Count);
        Assert.InRange(histogram.ValueAtPercentile(50), 999_000_000, 1_000_000_000);
    }

    [Fact]
    public void A_busy_thread_shows_in_its_own_cpu_in_the_process_cpu_and_under_its_name()
    {
        const long Busy = 60_000_000; // 60 ms of CPU, whatever the wall time on a loaded machine
        ProcessMeter meter = ProcessMeter.Start(perThread: true);
        long spun = 0;
        var thread = new Thread(() =>
        {
            long start = ThreadCpu.Current().CpuNanoseconds;
            while ((spun = ThreadCpu.Current().CpuNanoseconds - start) < Busy)
            {
                Thread.SpinWait(10_000);
            }
        })
        { Name = "toolkit-spin" };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the spinning thread did not get 60 ms of CPU within a minute");
        ProcessUsage usage = meter.Stop();

        // The thread has ended: the process CPU still holds its time.
        Assert.True(usage.CpuNanoseconds >= spun - 10_000_000, $"process CPU {usage.CpuNanoseconds} ns < the thread's {spun} ns");
        Assert.True(ThreadCpu.Current().ThreadId > 0);
        Assert.Contains(ThreadCpu.Read(), t => t.ThreadId == Environment.ProcessId);
    }

    [Fact]
    public void Per_thread_cpu_between_two_readings_names_the_thread_that_worked()
    {
        using var release = new ManualResetEventSlim();
        long spun = 0;
        var thread = new Thread(() =>
        {
            long start = ThreadCpu.Current().CpuNanoseconds;
            while ((spun = ThreadCpu.Current().CpuNanoseconds - start) < 40_000_000)
            {
                Thread.SpinWait(10_000);
            }

            release.Wait(TimeSpan.FromSeconds(60)); // stay alive until the second reading
        })
        { Name = "toolkit-worker" };
        IReadOnlyList<ThreadCpuTime> before = ThreadCpu.Read();
        thread.Start();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref spun) < 40_000_000 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        IReadOnlyList<ThreadCpuTime> used = ThreadCpu.Between(before, ThreadCpu.Read());
        release.Set();
        thread.Join();
        ThreadCpuTime worker = Assert.Single(used, t => t.Name == "toolkit-worker");
        Assert.InRange(worker.CpuNanoseconds, 30_000_000, 10_000_000_000);
        Assert.True(ThreadCpu.TotalNanoseconds("toolkit-") >= 0);
    }

    [Fact]
    public unsafe void Resident_memory_peak_reset_and_native_heap_follow_a_64_MiB_allocation()
    {
        const int Size = 64 * 1024 * 1024;
        long rssBefore = ProcessMemory.ResidentBytes();
        long heapBefore = ProcessMemory.NativeHeapInUseBytes();
        byte* block = (byte*)NativeMemory.Alloc(Size);
        try
        {
            new Span<byte>(block, Size).Fill(1); // touch every page
            long rss = ProcessMemory.ResidentBytes();
            Assert.True(rss - rssBefore >= Size * 3L / 4, $"RSS grew {rss - rssBefore} bytes for a touched 64 MiB block");
            Assert.True(ProcessMemory.PeakResidentBytes() >= rss - 4096 * 16);
            Assert.True(ProcessMemory.NativeHeapInUseBytes() - heapBefore >= Size, "mallinfo2 does not count the block");
        }
        finally
        {
            NativeMemory.Free(block); // a block this large is unmapped at once
        }

        long peakBefore = ProcessMemory.PeakResidentBytes();
        Assert.True(ProcessMemory.ResetPeakResident(), "clear_refs is not writable");
        Assert.True(ProcessMemory.PeakResidentBytes() <= peakBefore - Size / 2, "the peak did not drop to the current RSS after the reset");
        Assert.True(ProcessMemory.ThreadCount() >= 1);
        Assert.Equal(0, ProcessMemory.ResidentBytesOf(int.MaxValue));
    }

    [Fact]
    public void Gc_counts_and_the_meter_see_the_interval_allocations_and_collections()
    {
        ProcessMeter meter = ProcessMeter.Start(resetPeak: true);
        GcCounts start = GcCounts.Now();
        var keep = new List<byte[]>();
        for (int i = 0; i < 100; i++)
        {
            keep.Add(new byte[10_000]);
        }

        GC.Collect(0);
        GcCounts used = GcCounts.Now() - start;
        ProcessUsage usage = meter.Stop();
        Assert.True(used.AllocatedBytes >= 1_000_000, $"{used.AllocatedBytes} bytes");
        Assert.True(used.Gen0 >= 1);
        Assert.Equal($"{used.Gen0}/{used.Gen1}/{used.Gen2}", used.Collections);
        Assert.True(usage.Gc.AllocatedBytes >= used.AllocatedBytes);
        Assert.True(usage.PeakIsInterval);
        Assert.True(usage.PeakRssBytes >= usage.RssBeforeBytes);
        Assert.Empty(usage.Threads);
        GC.KeepAlive(keep);
    }
}
