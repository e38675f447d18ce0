using System.Globalization;

namespace KafkaFast.Tool.Commands;

/// <summary>Where kafkafast consume starts in each partition (-o), kcat's forms.</summary>
internal enum ConsumeStartKind
{
    /// <summary>The oldest message still there.</summary>
    Beginning,

    /// <summary>Only messages written from now on.</summary>
    End,

    /// <summary>The group's committed offsets (with -g; where there are none: the beginning).</summary>
    Stored,

    /// <summary>An offset number (past the end: the end).</summary>
    Absolute,

    /// <summary>-N: the last N messages of each partition.</summary>
    FromEnd,

    /// <summary>s@ms: the first message at or after a time.</summary>
    Timestamp,
}

/// <summary>The -o options of kafkafast consume: one start, and optionally a stop time (e@ms).</summary>
/// <param name="Kind">Where to start.</param>
/// <param name="Value">The offset, count or timestamp (ms) of <paramref name="Kind"/>.</param>
/// <param name="StopBefore">e@ms: a partition is done at its first message at or after this time (not printed).</param>
internal sealed record ConsumeStart(ConsumeStartKind Kind, long Value, long? StopBefore)
{
    /// <summary>Reads every -o given (at most one start and one e@); a bad form is a usage error that lists the good ones.</summary>
    internal static ConsumeStart Parse(IReadOnlyList<string> specs, bool hasGroup)
    {
        ConsumeStartKind? kind = null;
        long value = 0;
        long? stop = null;
        foreach (string spec in specs)
        {
            if (spec.StartsWith("e@", StringComparison.Ordinal))
            {
                if (stop is not null)
                {
                    throw new UsageException("--offset e@<ms> given twice");
                }

                stop = Timestamp(spec);
                continue;
            }

            if (kind is not null)
            {
                throw new UsageException($"--offset '{spec}': a start is already given; only e@<ms> may be added to it");
            }

            (kind, value) = spec switch
            {
                "beginning" => (ConsumeStartKind.Beginning, 0L),
                "end" => (ConsumeStartKind.End, 0L),
                "stored" => (ConsumeStartKind.Stored, 0L),
                _ when spec.StartsWith("s@", StringComparison.Ordinal) => (ConsumeStartKind.Timestamp, Timestamp(spec)),
                _ when spec.StartsWith('-') && long.TryParse(spec.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long last) && last > 0 =>
                    (ConsumeStartKind.FromEnd, last),
                _ when long.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out long offset) => (ConsumeStartKind.Absolute, offset),
                _ => throw new UsageException($"--offset '{spec}': expected beginning, end, stored, an offset, -N (the last N of each partition), s@<ms> or e@<ms>"),
            };
        }

        kind ??= hasGroup ? ConsumeStartKind.Stored : ConsumeStartKind.Beginning;
        if (kind == ConsumeStartKind.Stored && !hasGroup)
        {
            throw new UsageException("--offset stored needs --group (offsets are stored per group)");
        }

        if (hasGroup && kind is not (ConsumeStartKind.Stored or ConsumeStartKind.Beginning or ConsumeStartKind.End))
        {
            throw new UsageException("with --group, --offset takes stored, beginning or end (where to start without a committed offset): " +
                "a group resumes from its committed offsets; move them with 'kafkafast group reset-offsets'");
        }

        return new ConsumeStart(kind.Value, value, stop);
    }

    private static long Timestamp(string spec) =>
        long.TryParse(spec.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
            ? ms
            : throw new UsageException($"--offset '{spec}': expected {spec[..2]}<milliseconds since 1970-01-01 UTC>");
}
