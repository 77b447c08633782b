package io.migaudit.analyzer.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The bundled OCSF 1.3.0 findings subset (src/test/resources/ocsf), as a JSON Schema validator. */
public final class OcsfSchema {
  public static final String RESOURCE = "/ocsf/findings-1.3.0-subset.schema.json";
  private final JsonSchema schema;

  public OcsfSchema(InputStream in) {
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    this.schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
  }

  /** The schema from this module's test resources. */
  public static OcsfSchema bundled() {
    try (InputStream in = OcsfSchema.class.getResourceAsStream(RESOURCE)) {
      return new OcsfSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is wrong with {@code finding}; empty when it validates. */
  public List<String> problems(JsonNode finding) {
    return schema.validate(finding).stream().map(ValidationMessage::getMessage).sorted().toList();
  }
}
