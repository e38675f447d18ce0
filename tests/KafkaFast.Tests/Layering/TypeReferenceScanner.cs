using Mono.Cecil;
using Mono.Cecil.Cil;

namespace KafkaFast.Tests.Layering;

/// <summary>One use of a type by a type of the scanned assembly.</summary>
/// <param name="From">The using type (nested and compiler-generated types count as their outermost declaring type).</param>
/// <param name="To">The used type, outermost declaring type as well: of the same assembly, or of another (its <c>Scope</c> says which).</param>
/// <param name="Where">Where the use was found, e.g. "body of ProducerEngine.GetTopic".</param>
public sealed record TypeReferenceUse(TypeDefinition From, TypeReference To, string Where);

/// <summary>
/// Lists every reference from a type of an assembly to another type (of the same assembly, or of the assemblies it
/// references: the ASP.NET Core layer test checks which layer may use YARP), read from its metadata and IL:
/// base types, interfaces, fields, signatures, attributes, generic arguments and constraints, local variables, catch
/// clauses, and every type, method, field and call-site operand of every method body (lambdas, iterators, async state
/// machines and local functions are compiler-generated nested types, so they count for the type that declares them).
/// </summary>
public static class TypeReferenceScanner
{
    public static IReadOnlyList<TypeReferenceUse> Scan(ModuleDefinition module)
    {
        var uses = new List<TypeReferenceUse>();
        foreach (TypeDefinition type in module.Types)
        {
            ScanType(type, Outermost(type), uses);
        }

        return uses;
    }

    /// <summary>The outermost declaring type: a nested type belongs to the namespace (and layer) of its container.</summary>
    public static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static void ScanType(TypeDefinition type, TypeReference owner, List<TypeReferenceUse> uses)
    {
        var from = (TypeDefinition)owner;
        void Add(TypeReference? t, string where) => AddType(t, from, where, uses);
        string name = type.Name;

        Add(type.BaseType, $"base type of {name}");
        foreach (InterfaceImplementation i in type.Interfaces)
        {
            Add(i.InterfaceType, $"interface of {name}");
        }

        AddGenericParameters(type.GenericParameters, from, name, uses);
        AddAttributes(type.CustomAttributes, from, name, uses);
        foreach (FieldDefinition field in type.Fields)
        {
            Add(field.FieldType, $"field {name}.{field.Name}");
            AddAttributes(field.CustomAttributes, from, $"{name}.{field.Name}", uses);
        }

        foreach (PropertyDefinition property in type.Properties)
        {
            Add(property.PropertyType, $"property {name}.{property.Name}");
            AddAttributes(property.CustomAttributes, from, $"{name}.{property.Name}", uses);
        }

        foreach (EventDefinition e in type.Events)
        {
            Add(e.EventType, $"event {name}.{e.Name}");
            AddAttributes(e.CustomAttributes, from, $"{name}.{e.Name}", uses);
        }

        foreach (MethodDefinition method in type.Methods)
        {
            ScanMethod(method, from, $"{name}.{method.Name}", uses);
        }

        foreach (TypeDefinition nested in type.NestedTypes)
        {
            ScanType(nested, owner, uses);
        }
    }

    private static void ScanMethod(MethodDefinition method, TypeDefinition from, string name, List<TypeReferenceUse> uses)
    {
        AddType(method.ReturnType, from, $"signature of {name}", uses);
        AddAttributes(method.CustomAttributes, from, name, uses);
        AddAttributes(method.MethodReturnType.CustomAttributes, from, name, uses);
        AddGenericParameters(method.GenericParameters, from, name, uses);
        foreach (ParameterDefinition p in method.Parameters)
        {
            AddType(p.ParameterType, from, $"signature of {name}", uses);
            AddAttributes(p.CustomAttributes, from, name, uses);
        }

        foreach (MethodReference overridden in method.Overrides)
        {
            AddMethod(overridden, from, $"override in {name}", uses);
        }

        if (!method.HasBody)
        {
            return;
        }

        string body = $"body of {name}";
        foreach (VariableDefinition local in method.Body.Variables)
        {
            AddType(local.VariableType, from, body, uses);
        }

        foreach (ExceptionHandler handler in method.Body.ExceptionHandlers)
        {
            AddType(handler.CatchType, from, body, uses);
        }

        foreach (Instruction instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference t:
                    AddType(t, from, body, uses);
                    break;
                case MethodReference m:
                    AddMethod(m, from, body, uses);
                    break;
                case FieldReference f:
                    AddType(f.DeclaringType, from, body, uses);
                    AddType(f.FieldType, from, body, uses);
                    break;
                case CallSite site:
                    AddSignature(site.ReturnType, site.Parameters, from, body, uses);
                    break;
            }
        }
    }

    private static void AddMethod(MethodReference method, TypeDefinition from, string where, List<TypeReferenceUse> uses)
    {
        AddType(method.DeclaringType, from, where, uses);
        AddSignature(method.ReturnType, method.Parameters, from, where, uses);

        if (method is GenericInstanceMethod generic)
        {
            foreach (TypeReference argument in generic.GenericArguments)
            {
                AddType(argument, from, where, uses);
            }
        }
    }

    private static void AddSignature(TypeReference returnType, IEnumerable<ParameterDefinition> parameters, TypeDefinition from, string where, List<TypeReferenceUse> uses)
    {
        AddType(returnType, from, where, uses);
        foreach (ParameterDefinition p in parameters)
        {
            AddType(p.ParameterType, from, where, uses);
        }
    }

    private static void AddGenericParameters(IEnumerable<GenericParameter> parameters, TypeDefinition from, string where, List<TypeReferenceUse> uses)
    {
        foreach (GenericParameter g in parameters)
        {
            foreach (GenericParameterConstraint c in g.Constraints)
            {
                AddType(c.ConstraintType, from, $"constraint in {where}", uses);
            }
        }
    }

    private static void AddAttributes(IEnumerable<CustomAttribute> attributes, TypeDefinition from, string where, List<TypeReferenceUse> uses)
    {
        foreach (CustomAttribute a in attributes)
        {
            AddType(a.AttributeType, from, $"attribute on {where}", uses);
            foreach (CustomAttributeArgument argument in a.ConstructorArguments.Concat(a.Properties.Select(p => p.Argument)).Concat(a.Fields.Select(f => f.Argument)))
            {
                AddType(argument.Type, from, $"attribute on {where}", uses);
                if (argument.Value is TypeReference typeOf)
                {
                    AddType(typeOf, from, $"attribute on {where}", uses);
                }
            }
        }
    }

    /// <summary>Adds <paramref name="type"/> and every type it is built from (arrays, pointers, generic arguments, ...).</summary>
    private static void AddType(TypeReference? type, TypeDefinition from, string where, List<TypeReferenceUse> uses)
    {
        switch (type)
        {
            case null:
            case GenericParameter:
                return;
            case GenericInstanceType generic:
                AddType(generic.ElementType, from, where, uses);
                foreach (TypeReference argument in generic.GenericArguments)
                {
                    AddType(argument, from, where, uses);
                }

                return;
            case IModifierType modified:
                AddType(modified.ModifierType, from, where, uses);
                AddType(modified.ElementType, from, where, uses);
                return;
            case FunctionPointerType pointer:
                AddSignature(pointer.ReturnType, pointer.Parameters, from, where, uses);
                return;
            case TypeSpecification spec: // array, pointer, by-reference, pinned, sentinel
                AddType(spec.ElementType, from, where, uses);
                return;
        }

        uses.Add(new TypeReferenceUse(from, Outermost(type), where));
    }
}
