//! Seeds the services the account holds in tens: DynamoDB, SageMaker
//! endpoints and notebooks, RDS, Redshift, EC2, Auto Scaling, ECS, EKS (as
//! the integration tests in tests/it seed them).

use super::account::{self, each, More, Sizes};
use super::common::seed::Sdk;

pub async fn seed(sdk: &Sdk, more: &More, s: &Sizes) {
    tables(sdk, s).await;
    sagemaker(sdk, s).await;
    databases(more, s).await;
    compute(more, s).await;
    containers(more, s).await;
}

async fn tables(sdk: &Sdk, s: &Sizes) {
    let names = account::tables(s);
    let names = &names;
    each(s.tables, |i| async move {
        let gsi: &[(&str, i64, i64)] = if i < s.indexed_tables {
            &[("by-user", 5, 5)]
        } else {
            &[]
        };
        sdk.table(&names[i], (5, 5), gsi).await;
    })
    .await;
}

async fn sagemaker(sdk: &Sdk, s: &Sizes) {
    let role = sdk.role().await;
    let model = format!("{}model", account::ENDPOINT);
    sdk.model(&model, &role).await;
    let model = &model;
    each(s.endpoints, |i| async move {
        let name = format!("{}{i:03}", account::ENDPOINT);
        let config = format!("{name}-config");
        sdk.endpoint_config(&config, model).await;
        sdk.endpoint(&name, &config, &[("team", "bench")]).await;
    })
    .await;
    each(s.notebooks, |i| async move {
        sdk.sagemaker
            .create_notebook_instance()
            .notebook_instance_name(format!("{}{i:03}", account::NOTEBOOK))
            .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
            .role_arn("arn:aws:iam::123456789012:role/notebooks")
            .volume_size_in_gb(20)
            .send()
            .await
            .unwrap();
    })
    .await;
}

async fn databases(m: &More, s: &Sizes) {
    each(s.db_instances, |i| async move {
        m.rds
            .create_db_instance()
            .db_instance_identifier(format!("{}{i:03}", account::DB))
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .allocated_storage(20)
            .storage_type("gp2")
            .master_username("admin")
            .master_user_password("password123")
            .send()
            .await
            .unwrap();
    })
    .await;
    each(s.db_clusters, |i| async move {
        let name = format!("{}{i:03}", account::AURORA);
        m.rds
            .create_db_cluster()
            .db_cluster_identifier(&name)
            .engine("aurora-postgresql")
            .master_username("admin")
            .master_user_password("password123")
            .send()
            .await
            .unwrap();
        m.rds
            .create_db_instance()
            .db_instance_identifier(format!("{name}-1"))
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .db_cluster_identifier(&name)
            .send()
            .await
            .unwrap();
    })
    .await;
    each(s.warehouses, |i| async move {
        m.redshift
            .create_cluster()
            .cluster_identifier(format!("{}{i:03}", account::WAREHOUSE))
            .node_type("dc2.large")
            .cluster_type("multi-node")
            .number_of_nodes(2)
            .master_username("admin")
            .master_user_password("Password123")
            .send()
            .await
            .unwrap();
    })
    .await;
}

/// EC2 instances tagged with the project, and Auto Scaling groups of one
/// instance each (not tagged: the EC2 rule leaves their instances alone).
async fn compute(m: &More, s: &Sizes) {
    use aws_sdk_ec2::types::{InstanceType, ResourceType, Tag, TagSpecification};
    let images = m.ec2.describe_images().send().await.unwrap();
    let ami = images.images()[0].image_id().unwrap().to_string();
    m.ec2
        .run_instances()
        .image_id(&ami)
        .instance_type(InstanceType::T3Micro)
        .min_count(s.instances as i32)
        .max_count(s.instances as i32)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Instance)
                .tags(
                    Tag::builder()
                        .key("Project")
                        .value(account::PROJECT)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let template = format!("{}template", account::GROUP);
    m.ec2
        .create_launch_template()
        .launch_template_name(&template)
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(&ami)
                .instance_type(InstanceType::T3Small)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let subnets = m.ec2.describe_subnets().send().await.unwrap();
    let subnet = subnets.subnets()[0].subnet_id().unwrap().to_string();
    let (template, subnet) = (&template, &subnet);
    each(s.groups, |i| async move {
        m.asg
            .create_auto_scaling_group()
            .auto_scaling_group_name(format!("{}{i:03}", account::GROUP))
            .launch_template(
                aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                    .launch_template_name(template)
                    .version("$Latest")
                    .build(),
            )
            .min_size(1)
            .max_size(2)
            .desired_capacity(1)
            .vpc_zone_identifier(subnet)
            .send()
            .await
            .unwrap();
    })
    .await;
}

async fn containers(m: &More, s: &Sizes) {
    m.ecs
        .create_cluster()
        .cluster_name(account::ECS_CLUSTER)
        .send()
        .await
        .unwrap();
    let td = task_definition(m).await;
    let td = &td;
    each(s.services, |i| async move {
        let name = format!("{}{i:03}", account::SERVICE);
        m.ecs
            .create_service()
            .cluster(account::ECS_CLUSTER)
            .service_name(&name)
            .task_definition(td)
            .desired_count(1)
            .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
            .send()
            .await
            .unwrap();
        // moto's running count follows the desired one only after an update.
        m.ecs
            .update_service()
            .cluster(account::ECS_CLUSTER)
            .service(&name)
            .desired_count(1)
            .send()
            .await
            .unwrap();
    })
    .await;
    m.eks
        .create_cluster()
        .name(account::EKS_CLUSTER)
        .role_arn("arn:aws:iam::123456789012:role/eks")
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .subnet_ids("subnet-1")
                .build(),
        )
        .send()
        .await
        .unwrap();
    each(s.nodegroups, |i| async move {
        m.eks
            .create_nodegroup()
            .cluster_name(account::EKS_CLUSTER)
            .nodegroup_name(format!("{}{i:03}", account::NODEGROUP))
            .scaling_config(
                aws_sdk_eks::types::NodegroupScalingConfig::builder()
                    .min_size(1)
                    .desired_size(2)
                    .max_size(3)
                    .build(),
            )
            .subnets("subnet-1")
            .node_role("arn:aws:iam::123456789012:role/nodes")
            .instance_types("t3.medium")
            .send()
            .await
            .unwrap();
    })
    .await;
}

async fn task_definition(m: &More) -> String {
    use aws_sdk_ecs::types::{CpuArchitecture, OsFamily, RuntimePlatform};
    m.ecs
        .register_task_definition()
        .family("bench-web")
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .cpu("512")
        .memory("1024")
        .runtime_platform(
            RuntimePlatform::builder()
                .cpu_architecture(CpuArchitecture::X8664)
                .operating_system_family(OsFamily::Linux)
                .build(),
        )
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string()
}
