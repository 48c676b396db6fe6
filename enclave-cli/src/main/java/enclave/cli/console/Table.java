package enclave.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The {@code -o table} rendering: one row per object, aligned columns under a header and a dashed rule.
 * ARM resources get the columns people look for (name, kind, state and a few properties of their type);
 * other objects show their scalar fields.
 */
final class Table {
    private record Column(String header, Function<JsonNode, JsonNode> value) {
        static Column field(String header, String pointer) {
            return new Column(header, node -> node.at(pointer));
        }
    }

    private Table() {}

    /** Traffic-log records have some 25 fields; a terminal shows the ones people scan for (-o json has them all). */
    private static final List<Column> TRAFFIC_LOG_COLUMNS = List.of(
            Column.field("Time", "/timeGenerated"), Column.field("Deployment", "/deploymentName"), Column.field("Status", "/responseCode"),
            Column.field("Reason", "/responseCodeReason"), Column.field("Ms", "/totalDurationMs"), Column.field("ReqBytes", "/requestPayloadSize"),
            Column.field("RespBytes", "/responsePayloadSize"), Column.field("Auth", "/authMode"), Column.field("Caller", "/identity"),
            Column.field("Mirrored", "/mirrored"), Column.field("RequestId", "/xRequestId"));

    static String render(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        List<JsonNode> rows = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(rows::add);
        } else {
            rows.add(node);
        }
        if (rows.isEmpty()) {
            return "";
        }
        if (rows.stream().noneMatch(JsonNode::isObject)) {
            if (!node.isArray()) {
                return Output.cell(node) + "\n";
            }
            return format(List.of(new Column("Result", Function.identity())), rows);
        }
        return format(columnsFor(rows), rows);
    }

    private static List<Column> columnsFor(List<JsonNode> rows) {
        JsonNode first = rows.getFirst();
        if (first.path("properties").isObject() && first.hasNonNull("name")) {
            return resourceColumns(first.path("type").asText("").toLowerCase(Locale.ROOT));
        }
        if (first.has("xRequestId") && first.has("responseCode")) {
            return TRAFFIC_LOG_COLUMNS;
        }
        if (first.has("roleName") && first.has("roleType")) {
            return List.of(Column.field("RoleName", "/roleName"), Column.field("RoleType", "/roleType"), Column.field("Description", "/description"));
        }
        if (first.has("principalId") && first.has("roleDefinitionId")) {
            return List.of(new Column("Principal", node -> node.hasNonNull("principalName") ? node.get("principalName") : node.path("principalId")),
                    new Column("Role", node -> node.hasNonNull("roleDefinitionName") ? node.get("roleDefinitionName") : node.path("roleDefinitionId")),
                    Column.field("Scope", "/scope"));
        }
        if (first.has("allowed") && first.has("reason")) {
            return List.of(Column.field("Allowed", "/allowed"), Column.field("Reason", "/reason"));
        }
        Set<String> fields = new LinkedHashSet<>();
        for (JsonNode row : rows) {
            for (Map.Entry<String, JsonNode> field : row.properties()) {
                if (!field.getValue().isContainerNode()) {
                    fields.add(field.getKey());
                }
            }
        }
        return fields.stream().map(field -> Column.field(Output.header(field), "/" + field.replace("~", "~0").replace("/", "~1"))).toList();
    }

    private static List<Column> resourceColumns(String type) {
        Column name = Column.field("Name", "/name");
        Column state = Column.field("ProvisioningState", "/properties/provisioningState");
        if (type.endsWith("/onlineendpoints")) {
            return List.of(name, Column.field("Kind", "/kind"), Column.field("AuthMode", "/properties/authMode"), state,
                    new Column("Traffic", node -> weights(node.path("properties").path("traffic"))),
                    Column.field("ScoringUri", "/properties/scoringUri"));
        }
        if (type.endsWith("/deployments")) {
            return List.of(name, Column.field("Kind", "/kind"), Column.field("InstanceType", "/properties/instanceType"),
                    Column.field("InstanceCount", "/sku/capacity"), state);
        }
        if (type.endsWith("/workspaces")) {
            return List.of(name, Column.field("Location", "/location"), Column.field("DisplayName", "/properties/friendlyName"),
                    Column.field("Description", "/properties/description"), state);
        }
        if (type.endsWith("/resourcegroups")) {
            return List.of(name, Column.field("Location", "/location"), state);
        }
        if (type.endsWith("/versions")) {
            return List.of(name, Column.field("Id", "/id"), state);
        }
        return List.of(name, new Column("Type", node -> node.hasNonNull("kind") ? node.get("kind") : node.path("type")), state);
    }

    private static JsonNode weights(JsonNode traffic) {
        StringJoiner text = new StringJoiner(", ");
        traffic.properties().forEach(entry -> text.add(entry.getKey() + "=" + entry.getValue().asText()));
        return TextNode.valueOf(text.toString());
    }

    private static String format(List<Column> columns, List<JsonNode> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(column -> Output.cell(column.value().apply(row))).toList());
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).header().length();
            for (List<String> line : cells) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        line(text, columns.stream().map(Column::header).toList(), widths);
        line(text, columns.stream().map(column -> "").toList(), widths, '-');
        cells.forEach(line -> line(text, line, widths));
        return text.toString();
    }

    private static void line(StringBuilder text, List<String> values, int[] widths) {
        line(text, values, widths, ' ');
    }

    private static void line(StringBuilder text, List<String> values, int[] widths, char fill) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                line.append("  ");
            }
            String value = values.get(i);
            line.append(fill == ' ' ? value : "");
            line.append(String.valueOf(fill).repeat(widths[i] - (fill == ' ' ? value.length() : 0)));
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }
}
