namespace KafkaFast.AspNetCore.Gateway;

/// <summary>Registered by AddKafkaFastGateway: MapKafkaFastGateway checks it is there (else it would fail later, less clearly).</summary>
internal sealed class GatewayRegistration;
