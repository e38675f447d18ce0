// One minimal endpoint (GET /hello) in several builds, for bench/aspnet-wrk.sh:
//   none       no events
//   kafkafast  app.UseKafkaRequestEvents (one JSON event per request, as docs/ASPNETCORE.md sets it up)
//   kafkafast-headers  the same with TraceContextInHeaders: the trace context as Kafka headers too
//   confluent  the same event written the usual way: Utf8JsonWriter into a pooled buffer, the traceparent header,
//              Confluent.Kafka Produce with a delivery handler
//   core       the same fields and traceparent header through KafkaProducer.TryProduceJson from a bare middleware:
//              the core call's own cost, the floor for "kafkafast"
// in two configurations:
//   template   as `dotnet new web` has it: WebApplication.CreateBuilder, its appsettings.json (logging on, so every
//              request has an Activity and a trace context to propagate)
//   slim       CreateSlimBuilder with logging cleared: no Activity, no trace header
// and the broker, in its own process so that its CPU is not counted as the server's:
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll broker                            prints "BOOTSTRAP host:port,..." and runs until stdin closes
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll server MODE VARIANT BOOTSTRAP PORT
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll inproc BOOTSTRAP                  the request thread's cost per event, without HTTP
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll watermarks BOOTSTRAP              the events in the topic (sum of high watermarks)
using KafkaFast.AspNetCore.Benchmarks;
using KafkaFast.Mock;

const string Topic = "bench-requests";

if (args.Length >= 1 && args[0] == "broker")
{
    using var cluster = new KafkaMockCluster(3);
    cluster.CreateTopic(Topic, 6);
    Console.WriteLine($"BOOTSTRAP {cluster.BootstrapServers}");
    Console.Out.Flush();
    while (Console.In.ReadLine() is not null)
    {
    }

    return 0;
}

if (args.Length == 2 && args[0] == "watermarks")
{
    // The sum of the topic's high watermarks, read with Confluent.Kafka (an independent reader): taken before a server
    // starts and after it stopped, the difference is the events it wrote, compared with the requests it served.
    Console.WriteLine($"WATERMARKS {Watermarks.Sum(args[1], Topic)}");
    return 0;
}

if (args.Length == 2 && args[0] == "inproc")
{
    return await InProcess.RunAsync(args[1], Topic);
}

if (args.Length == 5 && args[0] == "loop")
{
    // loop BOOTSTRAP VARIANT activity|no-activity SECONDS: one variant in a loop, for perf.
    return await InProcess.LoopAsync(args[1], Topic, args[2], args[3] == "activity", double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length != 5 || args[0] != "server" || args[1] is not ("template" or "slim") || !BenchServer.Variants.Contains(args[2]))
{
    Console.Error.WriteLine($"usage: broker | inproc BOOTSTRAP | server template|slim {string.Join('|', BenchServer.Variants)} BOOTSTRAP PORT");
    return 2;
}

return await BenchServer.RunAsync(template: args[1] == "template", variant: args[2], bootstrap: args[3], port: args[4], Topic);
