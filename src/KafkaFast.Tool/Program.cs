using System.Runtime.InteropServices;
using KafkaFast.Tool;

// Ctrl+C and SIGTERM cancel the running command, which then closes cleanly (flushes, leaves groups, stops clusters).
using var stop = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

return await KafkaFastCli.RunAsync(args, Console.In, Console.Out, Console.Error, stop.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
