using System.Diagnostics;

namespace KafkaFast.Benchmarks.Broker;

/// <summary>Re-launches this benchmark program in another mode (broker host, matrix producer), under the apphost or "dotnet bench.dll".</summary>
internal static class SelfProcess
{
    /// <summary>Start info for this program with <paramref name="arguments"/>; stdout redirected, stderr shared with ours.</summary>
    internal static ProcessStartInfo StartInfo(params string[] arguments)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("Environment.ProcessPath is unknown.");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false, // librdkafka's own log lines go straight to our stderr
            UseShellExecute = false,
        };

        // Under "dotnet bench.dll" the process is the muxer: pass the assembly. Under the apphost, the apphost is enough.
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
