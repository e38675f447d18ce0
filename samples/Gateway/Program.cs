// A YARP gateway that writes one JSON event per request to Kafka, with KafkaFast.
//
//   dotnet run --project samples/Gateway
//   curl -i http://127.0.0.1:5080/api/orders/42        (proxied to the built-in /echo upstream)
//   curl http://127.0.0.1:5080/kafka/stats              (events accepted, delivered, budget)
//   curl http://127.0.0.1:5080/health
//
// The gateway's defaults (KafkaFast.AspNetCore's Gateway/gateway-defaults.json) use an embedded Kafka cluster and proxy
// every request to the gateway's own /echo endpoint, so it needs nothing else. appsettings.json, the environment and
// the command line override them key by key; for real use:
//   dotnet run --project samples/Gateway -- --KafkaFast:Producers:Default:BootstrapServers=broker1:9092 \
//       --ReverseProxy:Clusters:backend:Destinations:primary:Address=http://my-service:8080/
// `kafkafast gateway` runs the same gateway from the command line.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.AddKafkaFastGateway();   // KafkaFast (producers, request events, health) + YARP, over the gateway's defaults

WebApplication app = builder.Build();
app.MapKafkaFastGateway();       // request events first, then /health, /kafka/stats, /echo and the proxy
app.Run();
