package io.maas.gateway.grpc.reflection;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.maas.gateway.grpc.status.GrpcStatusMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.reflection.v1.ServerReflectionProto;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.Objects;

/**
 * gRPC server reflection ({@code grpc.reflection.v1.ServerReflection}, and {@code grpc.reflection.v1alpha}, which
 * older grpcurl, grpc_cli and GUI clients ask for): lists the server's services and hands out the .proto files
 * that declare them, so that such tools call the server without a .proto file of their own. Open to everyone: it
 * tells what the published .proto files tell.
 *
 * <p>Each {@code ServerReflectionInfo} stream answers every request it carries, in order, and ends when the
 * client ends its side, as grpc-java's reflection service does (Vert.x's own {@code ReflectionService} ends the
 * stream after its first answer and serves v1 only). The two versions' messages are the same on the wire (v1 is
 * v1alpha renamed), so both read and write the v1 classes.
 */
public final class ServerReflection implements Service {
  private static final String METHOD = "ServerReflectionInfo";

  private final ServiceName name;
  private final Descriptors.ServiceDescriptor descriptor;
  private final ServiceMethod<ServerReflectionRequest, ServerReflectionResponse> method;

  private ServerReflection(Descriptors.ServiceDescriptor descriptor) {
    this.descriptor = descriptor;
    this.name = ServiceName.create(descriptor.getFullName());
    this.method = ServiceMethod.server(name, METHOD, GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(ServerReflectionRequest.newBuilder()));
  }

  /** {@code grpc.reflection.v1.ServerReflection}. */
  public static ServerReflection v1() {
    return new ServerReflection(ServerReflectionProto.getDescriptor().findServiceByName("ServerReflection"));
  }

  /** {@code grpc.reflection.v1alpha.ServerReflection}. */
  public static ServerReflection v1alpha() {
    return new ServerReflection(Objects.requireNonNull(v1alphaFile().findServiceByName("ServerReflection")));
  }

  @Override
  public ServiceName name() {
    return name;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(method, call -> serve(server, call));
  }

  private static void serve(GrpcServer server, GrpcServerRequest<ServerReflectionRequest, ServerReflectionResponse> call) {
    DescriptorIndex index = new DescriptorIndex(server.services().stream()
        .map(Service::descriptor).filter(Objects::nonNull).toList());
    call.invalidMessageHandler(e -> GrpcStatusMessage.end(call.response(), GrpcStatus.INVALID_ARGUMENT,
            "malformed reflection request: " + e.getMessage()))
        .exceptionHandler(e -> { }) // the client went away: nothing left to answer
        .handler(request -> call.response().write(index.answer(request)))
        .endHandler(v -> call.response().end());
  }

  /** v1's file with v1alpha's package and name: the same messages and service under v1alpha's names. */
  static FileDescriptor v1alphaFile() {
    FileDescriptorProto v1 = ServerReflectionProto.getDescriptor().toProto();
    FileDescriptorProto.Builder b = v1.toBuilder()
        .setName("grpc/reflection/v1alpha/reflection.proto")
        .setPackage("grpc.reflection.v1alpha")
        .clearOptions();
    for (ServiceDescriptorProto.Builder s : b.getServiceBuilderList()) {
      for (MethodDescriptorProto.Builder m : s.getMethodBuilderList()) {
        m.setInputType(v1alpha(m.getInputType())).setOutputType(v1alpha(m.getOutputType()));
      }
    }
    for (DescriptorProto.Builder m : b.getMessageTypeBuilderList()) {
      for (FieldDescriptorProto.Builder f : m.getFieldBuilderList()) {
        if (f.hasTypeName()) {
          f.setTypeName(v1alpha(f.getTypeName()));
        }
      }
    }
    try {
      return FileDescriptor.buildFrom(b.build(), new FileDescriptor[0]);
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("the v1alpha reflection descriptor", e);
    }
  }

  private static String v1alpha(String typeName) {
    return typeName.replace(".grpc.reflection.v1.", ".grpc.reflection.v1alpha.");
  }
}
