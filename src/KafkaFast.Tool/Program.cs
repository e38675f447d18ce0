using KafkaFast.Tool;

return await KafkaFastCli.RunAsync(args, Console.In, Console.Out, Console.Error);
