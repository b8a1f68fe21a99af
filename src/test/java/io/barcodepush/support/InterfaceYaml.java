package io.barcodepush.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code templatedRoute} entries for {@code routes/interfaces.camel.yaml}, as an operator would.
 */
public final class InterfaceYaml {

    private final Map<String, String> parameters = new LinkedHashMap<>();
    private String routeId;

    private InterfaceYaml(String key) {
        parameters.put("key", key);
        parameters.put("name", key);
        parameters.put("recipients", key + "@reseller.example");
        // Tests insert tickets before the first run, so every interface counts from long ago.
        parameters.put("dateFrom", "2020-01-01T00:00:00Z");
        routeId = "export-" + key;
    }

    public static InterfaceYaml of(String key) {
        return new InterfaceYaml(key);
    }

    public InterfaceYaml set(String name, String value) {
        if (value == null) {
            parameters.remove(name);
        } else {
            parameters.put(name, value);
        }
        return this;
    }

    public InterfaceYaml routeId(String value) {
        this.routeId = value;
        return this;
    }

    public static String file(List<InterfaceYaml> interfaces) {
        StringBuilder yaml = new StringBuilder();
        for (InterfaceYaml entry : interfaces) {
            yaml.append("- templatedRoute:\n");
            yaml.append("    routeTemplateRef: export-interface\n");
            yaml.append("    routeId: ").append(quote(entry.routeId)).append('\n');
            yaml.append("    parameters:\n");
            entry.parameters.forEach((name, value) -> yaml.append("      - name: ").append(name).append('\n')
                    .append("        value: ").append(quote(value)).append('\n'));
        }
        return yaml.toString();
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
