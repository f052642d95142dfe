/**
 * TensorFlow's protobuf messages (GraphDef, NodeDef, SavedModel, …) as tfjs-node ships them
 * for its SavedModel loader. They are not part of tfjs-node's public API, so this is the one
 * place that reaches for them: it checks the tfjs-node version they were written against and
 * exposes only the handful of builders graph.ts needs.
 */
import { tf } from '../tf.js';

/** The tfjs-node release whose dist/proto/api_pb.js these builders were written and tested against. */
export const TFJS_NODE_VERSION = '4.22.0';

// google-protobuf's generated classes, reduced to the calls made here.
interface Message {
  serializeBinary(): Uint8Array;
}
interface ProtoMap<V> {
  set(key: string, value: V): void;
}
type Ctor<T> = new () => T;
interface Messages {
  DataType: { DT_FLOAT: number; DT_INT32: number; DT_BOOL: number };
  AttrValue: Ctor<Message & AttrValue> & { ListValue: Ctor<Message & { setIList(v: number[]): void }> };
  Tensor: Ctor<
    Message & {
      setDtype(v: number): void;
      setTensorShape(v: unknown): void;
      setFloatValList(v: number[]): void;
      setIntValList(v: number[]): void;
    }
  >;
  TensorShape: Ctor<Message & { addDim(v: unknown): void }> & { Dim: Ctor<{ setSize(v: number): void }> };
  NodeDef: Ctor<
    Message & { setName(v: string): void; setOp(v: string): void; addInput(v: string): void; getAttrMap(): ProtoMap<AttrValue> }
  >;
  GraphDef: Ctor<Message & { addNode(v: unknown): void; setVersions(v: unknown): void }>;
  VersionDef: Ctor<{ setProducer(v: number): void }>;
  TensorInfo: Ctor<{ setName(v: string): void; setDtype(v: number): void; setTensorShape(v: unknown): void }>;
  SignatureDef: Ctor<{ getInputsMap(): ProtoMap<unknown>; getOutputsMap(): ProtoMap<unknown>; setMethodName(v: string): void }>;
  MetaGraphDef: Ctor<{ setMetaInfoDef(v: unknown): void; setGraphDef(v: unknown): void; getSignatureDefMap(): ProtoMap<unknown> }> & {
    MetaInfoDef: Ctor<{ addTags(v: string): void }>;
  };
  SavedModel: Ctor<Message & { setSavedModelSchemaVersion(v: number): void; addMetaGraphs(v: unknown): void }>;
}
interface AttrValue {
  setType(v: number): void;
  setI(v: number): void;
  setF(v: number): void;
  setB(v: boolean): void;
  setS(v: Uint8Array): void;
  setList(v: unknown): void;
  setTensor(v: unknown): void;
  setShape(v: unknown): void;
}

let messages: Messages | undefined;

function load(): Messages {
  if (messages) return messages;
  const version = tf.version['tfjs-node'];
  if (version !== TFJS_NODE_VERSION) {
    throw new Error(
      `losslens builds its training graph with tfjs-node ${TFJS_NODE_VERSION}'s protobuf classes, but tfjs-node ${version} is installed. ` +
        'Install the version in package-lock.json (npm ci) or check src/training/tfProto.ts against the new release.',
    );
  }
  messages = require('@tensorflow/tfjs-node/dist/proto/api_pb.js') as Messages;
  return messages;
}

export type DType = 'float32' | 'int32' | 'bool';

/** A NodeDef attribute value, in the spelling of TensorFlow's op registry. */
export type Attr =
  | { type: DType }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { ints: readonly number[] }
  /** A tensor shape, −1 for a dimension of any size. */
  | { shape: readonly number[] }
  | { tensor: { dtype: 'float32' | 'int32'; shape: readonly number[]; values: readonly number[] } };

const dataType = (m: Messages, dtype: DType) =>
  ({ float32: m.DataType.DT_FLOAT, int32: m.DataType.DT_INT32, bool: m.DataType.DT_BOOL })[dtype];

function tensorShape(m: Messages, dims: readonly number[]) {
  const shape = new m.TensorShape();
  for (const size of dims) {
    const dim = new m.TensorShape.Dim();
    dim.setSize(size);
    shape.addDim(dim);
  }
  return shape;
}

function attrValue(m: Messages, attr: Attr) {
  const value = new m.AttrValue();
  if ('type' in attr) value.setType(dataType(m, attr.type));
  else if ('i' in attr) value.setI(attr.i);
  else if ('f' in attr) value.setF(attr.f);
  else if ('b' in attr) value.setB(attr.b);
  else if ('s' in attr) value.setS(new TextEncoder().encode(attr.s));
  else if ('ints' in attr) {
    const list = new m.AttrValue.ListValue();
    list.setIList([...attr.ints]);
    value.setList(list);
  } else if ('shape' in attr) value.setShape(tensorShape(m, attr.shape));
  else {
    const { dtype, shape, values } = attr.tensor;
    const tensor = new m.Tensor();
    tensor.setDtype(dataType(m, dtype));
    tensor.setTensorShape(tensorShape(m, shape));
    if (dtype === 'float32') tensor.setFloatValList([...values]);
    else tensor.setIntValList([...values]);
    value.setTensor(tensor);
  }
  return value;
}

export interface NodeSpec {
  name: string;
  op: string;
  inputs: readonly string[];
  attrs: Readonly<Record<string, Attr>>;
}

export interface TensorSpec {
  /** A node output, "node:0". */
  name: string;
  dtype: DType;
  /** −1 for a dimension of any size (the batch). */
  shape: readonly number[];
}

export interface SignatureSpec {
  inputs: Readonly<Record<string, TensorSpec>>;
  outputs: Readonly<Record<string, TensorSpec>>;
}

/** The tag tfjs-node's loadSavedModel looks for by default. */
export const SERVE_TAG = 'serve';

/** Serialized saved_model.pb: one MetaGraphDef tagged 'serve' holding `nodes`, with named signatures. */
export function savedModelBytes(nodes: readonly NodeSpec[], signatures: Readonly<Record<string, SignatureSpec>>): Uint8Array {
  const m = load();
  const graph = new m.GraphDef();
  for (const spec of nodes) {
    const node = new m.NodeDef();
    node.setName(spec.name);
    node.setOp(spec.op);
    spec.inputs.forEach((input) => node.addInput(input));
    const attrs = node.getAttrMap();
    for (const [key, attr] of Object.entries(spec.attrs)) attrs.set(key, attrValue(m, attr));
    graph.addNode(node);
  }
  const versions = new m.VersionDef();
  // A GraphDef producer version of TensorFlow 2 (ops are read with that version's semantics).
  versions.setProducer(1994);
  graph.setVersions(versions);

  const metaGraph = new m.MetaGraphDef();
  const info = new m.MetaGraphDef.MetaInfoDef();
  info.addTags(SERVE_TAG);
  metaGraph.setMetaInfoDef(info);
  metaGraph.setGraphDef(graph);
  const tensorInfo = (spec: TensorSpec) => {
    const t = new m.TensorInfo();
    t.setName(spec.name);
    t.setDtype(dataType(m, spec.dtype));
    // tfjs-node's loader reads every TensorInfo's dims; without a shape it fails on getDimList.
    t.setTensorShape(tensorShape(m, spec.shape));
    return t;
  };
  for (const [key, signature] of Object.entries(signatures)) {
    const def = new m.SignatureDef();
    def.setMethodName('tensorflow/serving/predict');
    for (const [name, spec] of Object.entries(signature.inputs)) def.getInputsMap().set(name, tensorInfo(spec));
    for (const [name, spec] of Object.entries(signature.outputs)) def.getOutputsMap().set(name, tensorInfo(spec));
    metaGraph.getSignatureDefMap().set(key, def);
  }
  const savedModel = new m.SavedModel();
  savedModel.setSavedModelSchemaVersion(1);
  savedModel.addMetaGraphs(metaGraph);
  return savedModel.serializeBinary();
}
