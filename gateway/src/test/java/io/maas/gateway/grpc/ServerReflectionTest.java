package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC server reflection as grpc-java's reflection clients (and so grpcurl) use it: list the services, fetch the
 * .proto files declaring one, then call it knowing nothing but what reflection told, with no .proto file and no
 * generated class. Several requests travel on one stream, which ends when the client ends it; v1alpha answers as v1.
 */
@ExtendWith(SharedNode.class)
class ServerReflectionTest {
  private static final String INFERENCE = "inference.GRPCInferenceService";
  private ManagedChannel channel;

  @BeforeEach
  void connect(RunningNode node) {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void oneStreamListsTheServicesAndHandsOutTheirFiles() throws Exception {
    List<ServerReflectionResponse> answers = v1(List.of(
        ServerReflectionRequest.newBuilder().setListServices("").build(),
        ServerReflectionRequest.newBuilder().setFileContainingSymbol(INFERENCE).build(),
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("inference.ModelConfig").build(),
        ServerReflectionRequest.newBuilder().setFileByFilename("model_config.proto").build(),
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("inference.NoSuchThing").build(),
        ServerReflectionRequest.newBuilder().setAllExtensionNumbersOfType("inference.ModelInferRequest").build()));
    assertEquals(6, answers.size(), "one answer per request, all on one stream: " + answers);

    List<String> services = answers.get(0).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    assertTrue(services.containsAll(List.of(INFERENCE, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection")), services.toString());

    ServiceDescriptor inference = files(answers.get(1)).get("grpc_predict_v2.proto").findServiceByName(
        "GRPCInferenceService");
    List<String> methods = inference.getMethods().stream().map(MethodDescriptor::getName).toList();
    assertTrue(methods.containsAll(List.of("ServerLive", "ModelInfer", "ModelStreamInfer", "ModelConfig",
        "ModelStatistics", "RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload")), methods.toString());
    assertEquals("inference.ModelConfig", inference.findMethodByName("ModelConfig").getOutputType()
        .findFieldByName("config").getMessageType().getFullName());

    assertEquals("model_config.proto", answers.get(2).getFileDescriptorResponse().getFileDescriptorProtoCount() == 1
        ? FileDescriptorProto.parseFrom(answers.get(2).getFileDescriptorResponse().getFileDescriptorProto(0)).getName()
        : "more than one file", "ModelConfig's file imports nothing");
    assertEquals(answers.get(2).getFileDescriptorResponse(), answers.get(3).getFileDescriptorResponse());

    assertEquals(Status.Code.NOT_FOUND.value(), answers.get(4).getErrorResponse().getErrorCode());
    assertEquals("inference.ModelInferRequest", answers.get(5).getAllExtensionNumbersResponse().getBaseTypeName());
  }

  @Test
  void aServiceFoundByReflectionIsCalledWithoutAProtoFile() throws Exception {
    List<ServerReflectionResponse> answers = v1(List.of(
        ServerReflectionRequest.newBuilder().setFileContainingSymbol(INFERENCE).build()));
    MethodDescriptor method = files(answers.get(0)).get("grpc_predict_v2.proto").findServiceByName("GRPCInferenceService")
        .findMethodByName("ServerMetadata");
    Descriptor in = method.getInputType();
    Descriptor out = method.getOutputType();
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> call = io.grpc.MethodDescriptor
        .<DynamicMessage, DynamicMessage>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(INFERENCE, method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(in)))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(out)))
        .build();
    DynamicMessage metadata = ClientCalls.blockingUnaryCall(channel, call,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), DynamicMessage.getDefaultInstance(in));
    assertEquals("maas", metadata.getField(out.findFieldByName("name")));
  }

  @Test
  void v1alphaAnswersAsV1() throws Exception {
    CompletableFuture<List<io.grpc.reflection.v1alpha.ServerReflectionResponse>> done = new CompletableFuture<>();
    List<io.grpc.reflection.v1alpha.ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
    StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> out =
        io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .serverReflectionInfo(collect(answers, done));
    out.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
    out.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setFileContainingSymbol(
        INFERENCE + ".RepositoryModelLoad").build());
    out.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    assertEquals(2, answers.size());
    assertTrue(answers.get(0).getListServicesResponse().getServiceList().stream()
        .anyMatch(s -> s.getName().equals(INFERENCE)));
    List<String> files = new ArrayList<>();
    for (ByteString b : answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoList()) {
      files.add(FileDescriptorProto.parseFrom(b).getName());
    }
    assertEquals(List.of("grpc_predict_v2.proto", "model_config.proto"), files, "the file, then what it imports");
  }

  /** Sends every request on one v1 stream, then ends it; the server's answers once it ends the stream too. */
  private List<ServerReflectionResponse> v1(List<ServerReflectionRequest> requests) throws Exception {
    CompletableFuture<List<ServerReflectionResponse>> done = new CompletableFuture<>();
    List<ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
    StreamObserver<ServerReflectionRequest> out = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).serverReflectionInfo(collect(answers, done));
    requests.forEach(out::onNext);
    out.onCompleted();
    return done.get(30, TimeUnit.SECONDS);
  }

  private static <T> StreamObserver<T> collect(List<T> answers, CompletableFuture<List<T>> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(answers);
      }
    };
  }

  /** The files of a file_descriptor_response, built in dependency order, by name. */
  private static Map<String, FileDescriptor> files(ServerReflectionResponse answer) throws Exception {
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    for (ByteString b : answer.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto p = FileDescriptorProto.parseFrom(b);
      protos.put(p.getName(), p);
    }
    Map<String, FileDescriptor> built = new HashMap<>();
    for (String name : protos.keySet()) {
      build(name, protos, built);
    }
    return built;
  }

  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws Exception {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto p = protos.get(name);
    assertNotNull(p, "the answer holds " + name + ", which a file in it imports");
    List<FileDescriptor> deps = new ArrayList<>();
    for (String dep : p.getDependencyList()) {
      deps.add(build(dep, protos, built));
    }
    FileDescriptor f = FileDescriptor.buildFrom(p, deps.toArray(new FileDescriptor[0]));
    built.put(name, f);
    return f;
  }
}
