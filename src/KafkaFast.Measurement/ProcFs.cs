using System.Globalization;

namespace KafkaFast.Measurement;

/// <summary>Parsing of the Linux /proc files the readers use. Every reader tolerates a file that vanished (a thread or process that ended).</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/*/stat, 100 on every Linux ABI.</summary>
    private const long ClockTicksPerSecond = 100;

    /// <summary>Reads the name and the user + system CPU (10 ms resolution) from a /proc/.../stat file.</summary>
    internal static bool TryReadStat(string path, out string name, out long cpuNanoseconds)
    {
        name = string.Empty;
        cpuNanoseconds = 0;
        string? stat = TryReadAllText(path);
        return stat is not null && TryParseStat(stat, out name, out cpuNanoseconds);
    }

    /// <summary>Parses the text of a /proc/.../stat file: name and user + system CPU.</summary>
    internal static bool TryParseStat(string stat, out string name, out long cpuNanoseconds)
    {
        name = string.Empty;
        cpuNanoseconds = 0;

        // "pid (name) state ppid ...": the name may hold spaces and parentheses, so it ends at the LAST ')'.
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 > stat.Length)
        {
            return false;
        }

        name = stat[(open + 1)..close];
        // Fields after ") ": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15).
        string[] rest = stat[(close + 2)..].Split(' ');
        if (rest.Length < 13
            || !long.TryParse(rest[11], NumberStyles.None, CultureInfo.InvariantCulture, out long user)
            || !long.TryParse(rest[12], NumberStyles.None, CultureInfo.InvariantCulture, out long system))
        {
            return false;
        }

        cpuNanoseconds = (user + system) * (1_000_000_000L / ClockTicksPerSecond);
        return true;
    }

    /// <summary>The first field of a /proc/.../schedstat file: nanoseconds spent on a CPU (user + system), or -1.</summary>
    internal static long ReadSchedstatNanoseconds(string path)
    {
        string? text = TryReadAllText(path);
        if (text is null)
        {
            return -1;
        }

        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return long.TryParse(space < 0 ? text.AsSpan().Trim() : text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out long ns) ? ns : -1;
    }

    /// <summary>A "Name:   value kB" (or plain count) field of a /proc/.../status file, or -1 when absent.</summary>
    internal static long ReadStatusField(string path, string field)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
                {
                    ReadOnlySpan<char> value = line.AsSpan(field.Length + 1).Trim();
                    int space = value.IndexOf(' ');
                    return long.Parse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }

    internal static string? TryReadAllText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone (thread or process ended), or not Linux
        }
    }
}
