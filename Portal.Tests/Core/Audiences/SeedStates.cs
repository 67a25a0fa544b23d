namespace Portal.Tests.Core.Audiences;

/// <summary>The audience state files of the bucket design, stage by stage, exactly as the design shows them.</summary>
internal static class SeedStates
{
    public const string Stage1Basic = """
        demo_audience:
          description: A demo audience from a filtered demo data source.

          source:
            endpoint: demo-endpoint/
            params:
              demo: true

          adtechA:
            name: New Audience
            audience_type: TYPE_X
        """;

    public const string Stage2FirstExecution = """
        demo_audience:
          description: A demo audience from a filtered demo data source.

          source:
            endpoint: demo-endpoint/
            params:
              demo: true
            last_response:
              date: '20231106'
              status: 200
              message: 'Success: Demo response message.'

          adtechA:
            name: Demo Audience
            id: '1234567890'
            audience_type: TYPE_X
            last_response:
              date: '20231106'
              status: 200
              message: 'Success: Demo response message.'
        """;

    public const string Stage3FurtherConfiguration = """
        demo_audience:
          description: A demo audience from a filtered demo data source.

          source:
            endpoint: demo-endpoint/
            params:
              demo: true
            last_response:
              date: 20231106
              status: 200
              message: 'Success: Demo response message.'

          adtechA:
            name: Demo Audience
            id: 1234567890
            audience_type: TYPE_X
            last_response:
              date: 20231106
              status: 200
              message: 'Success: Demo response message.'

          adtechB:
            name: Demo Audience
            expiration_time: 300
        """;

    public const string Stage4Final = """
        demo_audience:
          description: A demo audience from a filtered demo data source.

          source:
            endpoint: demo-endpoint/
            params:
              demo: true
            last_response:
              date: 20231106
              status: 200
              message: 'Success: Demo response message.'

          adtechA:
            name: Demo Audience
            id: 1234567890
            audience_type: TYPE_X
            last_response:
              date: 20231106
              status: 200
              message: 'Success: Demo response message.'

          adtechB:
            name: Demo Audience
            id: 0987654321
            expiration_time: 300
            last_response:
              date: 20231107
              status: 200
              message: 'Success: Demo response message.'
        """;
}
