package enclave.server.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.network.privateendpoint.PrivateEndpoint;
import enclave.network.vnet.VirtualNetwork;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /subscriptions/{sub}/providers/Microsoft.Network/diagnoseAccess} (Enclave extension), body
 * {@code {"target":"<url or host>","fromVirtualNetwork":"<vnet id>"?}}: the answer of {@link NetworkDiagnosis} as
 * {@code {"host","port","views":[...],"listener":{...},"target":{...},"verdict":{"allowed","code"?,"message"}}}.
 */
public final class DiagnoseApi {
    static final String PATH = "/subscriptions/{sub}/providers/Microsoft.Network/diagnoseAccess";
    static final String ACTION = "Microsoft.Network/virtualNetworks/read";

    private final NetworkDiagnosis diagnosis;

    public DiagnoseApi(NetworkDiagnosis diagnosis) {
        this.diagnosis = diagnosis;
    }

    public List<Route> routes() {
        return List.of(Route.of("POST", PATH, ACTION, params -> "/subscriptions/" + params.get("sub"), this::diagnose));
    }

    record Body(String target, String fromVirtualNetwork) {}

    private void diagnose(Call call) {
        Body body = call.body(Body.class);
        Optional<ResourceId> from = Optional.ofNullable(body.fromVirtualNetwork()).filter(s -> !s.isBlank()).map(text -> network(call.param("sub"), text));
        call.json(200, toJson(diagnosis.diagnose(body.target(), from)));
    }

    private static ResourceId network(String subscription, String text) {
        ResourceId id;
        try {
            id = ResourceId.parse(text);
        } catch (RuntimeException e) {
            throw notANetwork(text);
        }
        if (!id.type().equalsIgnoreCase(VirtualNetwork.TYPE)) {
            throw notANetwork(text);
        }
        if (!id.subscription().equalsIgnoreCase(subscription)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "fromVirtualNetwork " + text + " is in another subscription than " + subscription
                    + "; diagnose from a network of this subscription");
        }
        return id;
    }

    private static EnclaveException notANetwork(String text) {
        return new EnclaveException(ErrorCode.InvalidRequestContent, "fromVirtualNetwork must be a virtual network's id "
                + "(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>), got '" + text + "'");
    }

    static ObjectNode toJson(NetworkDiagnosis.Diagnosis d) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("host", d.host());
        out.put("port", d.port());
        out.put("path", d.path());
        ArrayNode views = out.putArray("views");
        for (DnsView view : d.views()) {
            ObjectNode v = views.addObject();
            v.put("view", view.view());
            v.put("resolver", view.resolver());
            ArrayNode chain = v.putArray("chain");
            view.chain().forEach(link -> chain.addObject().put("name", link.name()).put("type", link.type()).put("data", link.data()));
            v.put("rcode", view.rcode());
            view.address().ifPresentOrElse(a -> v.put("address", a), () -> v.putNull("address"));
        }
        out.put("pathView", d.pathView());
        ObjectNode listener = out.putObject("listener");
        listener.put("kind", d.listener().kind().wireName());
        d.listener().address().ifPresent(a -> listener.put("address", a));
        listener.put("listening", d.listener().bound());
        d.listener().privateEndpoint().ifPresent((PrivateEndpoint pe) -> {
            listener.put("privateEndpoint", pe.id());
            listener.put("privateEndpointName", pe.name());
            listener.put("virtualNetwork", pe.virtualNetwork());
            listener.put("virtualNetworkName", pe.virtualNetworkName());
            listener.put("connectionState", pe.status().name());
            listener.put("connectionId", pe.targetConnectionId().toString());
            listener.put("privateLinkServiceId", pe.target());
            listener.put("groupId", pe.groupId());
        });
        if (d.target().isPresent()) {
            var t = d.target().get();
            ObjectNode target = out.putObject("target");
            target.put("kind", t.kind().noun());
            target.put("id", t.resourceId());
            target.put("name", t.name());
            target.put("hostName", t.hostName());
            target.put("groupId", t.kind().groupId());
            target.put("privateLinkTarget", t.privateLinkTarget());
            target.put("publicNetworkAccess", t.publicNetworkAccessEnabled() ? "Enabled" : "Disabled");
        } else {
            out.putNull("target");
        }
        ObjectNode verdict = out.putObject("verdict");
        verdict.put("allowed", d.verdict().allowed());
        d.verdict().code().ifPresent(code -> verdict.put("code", code.name()));
        verdict.put("message", d.verdict().message());
        return out;
    }
}
