using System.Runtime.InteropServices;
using KafkaFast.Tool;
using KafkaFast.Tool.Io;

// Ctrl+C and SIGTERM cancel the running command, which then closes cleanly (flushes, leaves groups, stops clusters).
using var stop = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

// Messages are bytes: stdin and stdout are raw streams (stdout reports a reader that went away), stderr is text.
using Stream input = Console.OpenStandardInput();
using Stream output = StandardStreams.OpenOutput();
return await KafkaFastCli.RunAsync(args, input, output, Console.Error, StandardStreams.ReaderGone, stop.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
