// A YARP gateway that writes one JSON event per request to Kafka, with KafkaFast.
//
//   dotnet run --project samples/Gateway
//   curl -i http://127.0.0.1:5080/api/orders/42        (proxied to the built-in /echo upstream)
//   curl http://127.0.0.1:5080/kafka/stats              (events accepted, delivered, budget)
//   curl http://127.0.0.1:5080/health
//
// Out of the box it uses an embedded Kafka cluster (KafkaFast:Producers:Default:BootstrapServers = "embedded") and
// proxies /api/* to its own /echo endpoint, so it needs nothing else. For real use:
//   dotnet run --project samples/Gateway -- --KafkaFast:Producers:Default:BootstrapServers=broker1:9092 \
//       --ReverseProxy:Clusters:backend:Destinations:primary:Address=http://my-service:8080/
using KafkaFast.AspNetCore;
using Yarp.ReverseProxy.Model;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.AddKafkaFast();                                 // the "KafkaFast" section: producers, embedded cluster, request events
builder.Services.AddHealthChecks().AddKafkaFast();      // healthy / degraded / unhealthy from the producer
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

WebApplication app = builder.Build();

// First in the pipeline: one event per request, written when it completes (KafkaFast:RequestEvents), plus the
// upstream YARP chose. Never delays or fails the request; drops are counted (kafkafast.request_events.dropped).
app.UseKafkaRequestEvents(events => events.WriteFields = static (json, context, phase) =>
{
    if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.Model.Config.Address is string upstream)
    {
        json.WriteString("upstream", upstream);
    }
});

app.MapHealthChecks("/health");
app.MapGet("/kafka/stats", (IKafkaProducerProvider producers) => Results.Text(
    $"{producers.GetProducer().GetStatistics()}\nbootstrap: {producers.GetProducer().Options.BootstrapServers}\n"));

// The built-in upstream: answers with what it received, so the gateway works with no service behind it.
app.Map("/echo/{**path}", (HttpContext context, string? path) => Results.Json(new
{
    echo = "/" + path,
    method = context.Request.Method,
    forwardedFor = context.Request.Headers["X-Forwarded-For"].ToString(),
}));

app.MapReverseProxy();
app.Run();
