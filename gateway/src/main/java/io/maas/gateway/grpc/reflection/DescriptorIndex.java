package io.maas.gateway.grpc.reflection;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.reflection.v1.ErrorResponse;
import io.vertx.grpc.reflection.v1.ExtensionNumberResponse;
import io.vertx.grpc.reflection.v1.ExtensionRequest;
import io.vertx.grpc.reflection.v1.FileDescriptorResponse;
import io.vertx.grpc.reflection.v1.ListServiceResponse;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.reflection.v1.ServiceResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What server reflection answers from: the services a server serves and the .proto files that declare them
 * (with every file they import), indexed by file name, by fully qualified symbol (service, method, message,
 * enum, extension, nested ones included) and by extension. Answers one {@link ServerReflectionRequest} as
 * grpc-java's reflection service does: a file comes with every file it depends on, transitively; what is not
 * known is an {@code error_response} NOT_FOUND on the stream, not a failed call.
 */
final class DescriptorIndex {
  private final List<String> services;
  private final Map<String, FileDescriptor> files = new LinkedHashMap<>();
  private final Map<String, FileDescriptor> symbols = new HashMap<>();
  private final Set<String> messages = new HashSet<>();
  /** Message type -> extension number -> the file declaring the extension. */
  private final Map<String, Map<Integer, FileDescriptor>> extensions = new HashMap<>();

  DescriptorIndex(Collection<ServiceDescriptor> served) {
    this.services = served.stream().map(ServiceDescriptor::getFullName).distinct().toList();
    served.forEach(s -> add(s.getFile()));
  }

  private void add(FileDescriptor file) {
    if (files.putIfAbsent(file.getName(), file) != null) {
      return;
    }
    for (ServiceDescriptor s : file.getServices()) {
      symbols.put(s.getFullName(), file);
      for (MethodDescriptor m : s.getMethods()) {
        symbols.put(m.getFullName(), file);
      }
    }
    file.getMessageTypes().forEach(m -> addMessage(m, file));
    file.getEnumTypes().forEach(e -> symbols.put(e.getFullName(), file));
    file.getExtensions().forEach(x -> addExtension(x, file));
    file.getDependencies().forEach(this::add);
  }

  private void addMessage(Descriptor m, FileDescriptor file) {
    symbols.put(m.getFullName(), file);
    messages.add(m.getFullName());
    m.getNestedTypes().forEach(n -> addMessage(n, file));
    for (EnumDescriptor e : m.getEnumTypes()) {
      symbols.put(e.getFullName(), file);
    }
    m.getExtensions().forEach(x -> addExtension(x, file));
  }

  private void addExtension(FieldDescriptor x, FileDescriptor file) {
    symbols.put(x.getFullName(), file);
    extensions.computeIfAbsent(x.getContainingType().getFullName(), k -> new HashMap<>()).put(x.getNumber(), file);
  }

  ServerReflectionResponse answer(ServerReflectionRequest request) {
    ServerReflectionResponse.Builder b = ServerReflectionResponse.newBuilder()
        .setValidHost(request.getHost())
        .setOriginalRequest(request);
    return switch (request.getMessageRequestCase()) {
      case LIST_SERVICES -> b.setListServicesResponse(listServices()).build();
      case FILE_BY_FILENAME -> file(b, files.get(request.getFileByFilename()), "file " + request.getFileByFilename());
      case FILE_CONTAINING_SYMBOL -> file(b, symbols.get(request.getFileContainingSymbol()),
          "symbol " + request.getFileContainingSymbol());
      case FILE_CONTAINING_EXTENSION -> fileContainingExtension(b, request.getFileContainingExtension());
      case ALL_EXTENSION_NUMBERS_OF_TYPE -> extensionNumbers(b, request.getAllExtensionNumbersOfType());
      case MESSAGEREQUEST_NOT_SET -> error(b, GrpcStatus.INVALID_ARGUMENT, "the request asks nothing (message_request unset)");
    };
  }

  private ListServiceResponse listServices() {
    ListServiceResponse.Builder b = ListServiceResponse.newBuilder();
    services.forEach(s -> b.addService(ServiceResponse.newBuilder().setName(s)));
    return b.build();
  }

  private ServerReflectionResponse fileContainingExtension(ServerReflectionResponse.Builder b, ExtensionRequest r) {
    FileDescriptor file = extensions.getOrDefault(r.getContainingType(), Map.of()).get(r.getExtensionNumber());
    return file(b, file, "extension " + r.getExtensionNumber() + " of " + r.getContainingType());
  }

  private ServerReflectionResponse extensionNumbers(ServerReflectionResponse.Builder b, String type) {
    if (!messages.contains(type)) {
      return error(b, GrpcStatus.NOT_FOUND, "unknown message type " + type);
    }
    return b.setAllExtensionNumbersResponse(ExtensionNumberResponse.newBuilder().setBaseTypeName(type)
        .addAllExtensionNumber(extensions.getOrDefault(type, Map.of()).keySet().stream().sorted().toList())).build();
  }

  /** The file, then every file it depends on (transitively), each once; NOT_FOUND when there is no file. */
  private static ServerReflectionResponse file(ServerReflectionResponse.Builder b, FileDescriptor file, String what) {
    if (file == null) {
      return error(b, GrpcStatus.NOT_FOUND, "unknown " + what);
    }
    Set<FileDescriptor> all = new LinkedHashSet<>();
    Deque<FileDescriptor> todo = new ArrayDeque<>(List.of(file));
    while (!todo.isEmpty()) {
      FileDescriptor f = todo.pop();
      if (all.add(f)) {
        todo.addAll(f.getDependencies());
      }
    }
    List<ByteString> protos = new ArrayList<>();
    all.forEach(f -> protos.add(f.toProto().toByteString()));
    return b.setFileDescriptorResponse(FileDescriptorResponse.newBuilder().addAllFileDescriptorProto(protos)).build();
  }

  private static ServerReflectionResponse error(ServerReflectionResponse.Builder b, GrpcStatus status, String message) {
    return b.setErrorResponse(ErrorResponse.newBuilder().setErrorCode(status.code).setErrorMessage(message)).build();
  }
}
