using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace KafkaFast.Tool;

/// <summary>
/// <c>kafkafast --version</c>: the tool's version, then the librdkafka it runs (file and version, as loaded and as
/// mapped), so "which librdkafka?" has an answer without a debugger. Exit 1 when no acceptable librdkafka loads.
/// </summary>
internal sealed class VersionAction(ToolConsole console) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        string version = typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        console.Out.WriteLine($"kafkafast {version}");
        try
        {
            console.Out.WriteLine(LibrdkafkaReport.Line());
            return 0;
        }
        catch (DllNotFoundException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
